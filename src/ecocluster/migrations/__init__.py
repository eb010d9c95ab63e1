"""Alembic migrations of the ecocluster database, run by `ecocluster.store.upgrade_store`."""
