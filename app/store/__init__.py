"""The master store: SQLModel tables, the async engine, Alembic migrations and repositories."""
