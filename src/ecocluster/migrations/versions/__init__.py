"""Alembic revisions, oldest first; each one is a frozen copy, never edited after release."""
