"""Understanding inbound mail: parsing, bounces, automatic replies, visible text, intent.

Pure functions over messages: no database, no IMAP, no campaigns.
"""
