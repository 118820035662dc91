"""Storage: the schema, the engine set-up for SQLite and PostgreSQL, and org-scoped access."""
