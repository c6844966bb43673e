"""Persisted operations: registering GraphQL operations by hash and looking them up."""
