"""Alembic migrations of the store: ``versions/`` holds one file per schema change,
applied in order by :func:`extractor.store.db.migrate` when a store is opened."""
