"""The composition root: where the service (`app`) and its GraphQL surface (`schema`) are joined.

Dependencies point one way, `composition -> schema -> app -> connectors`, and only this package
sees both `app` and `schema`: `asgi.create_app` builds the Starlette application (the schema,
its request context, the routes and the lifespan resources), `subscriptions` serves the
schema's subscriptions over WebSocket, and `cli` is the `c360` command. Nothing imports this
package but its entry points (`c360`, `uvicorn composition.asgi:app_factory --factory`), tests
and benchmarks. `make lint` holds these rules (import-linter contracts in pyproject.toml).
"""
