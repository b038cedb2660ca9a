"""Persistence: the SQLite database, its schema versions, models and catalogue search."""
