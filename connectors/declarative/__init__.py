"""Systems described entirely in the connectors TOML file: REST/JSON endpoints, paging, mapping.

A table `[connectors.<name>]` with `type = "rest"` describes its system in `mapping`
(`config.RestDescription`): auth, one endpoint per kind of data, its paging and a jmespath field
mapping to the gateway's records. `connector.DeclarativeConnector` serves it through the shared
`SourceClient`, so it has the same timeouts, retries, circuit, in-flight limit and metrics as the
coded connectors. This module imports nothing, so `connectors.config` can use `config` below.
"""
