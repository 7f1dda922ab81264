"""People: organizations, contacts and suppression, shared by every feature."""
