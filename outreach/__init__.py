"""Outreach: the email side of a coalition sign-on campaign."""

__version__ = "0.1.0"
