"""The data store: SQLModel models, engine and sessions, Alembic migrations."""
