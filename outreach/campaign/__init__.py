"""Campaigns: targets, asks, follow-ups, sign-ons, letters and tasks. No SMTP or IMAP here."""
