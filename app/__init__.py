"""Customer 360 Gateway: the service (settings, master store, domain services, HTTP layer)."""
