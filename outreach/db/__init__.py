"""The database: the single source of truth for every campaign, message and decision."""
