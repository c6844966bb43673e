"""The HTTP layer: the GraphQL-over-HTTP endpoint, operations routes and middleware."""
