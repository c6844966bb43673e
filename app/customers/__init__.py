"""Customer domain services: validation, business rules and transactions over the repositories."""
