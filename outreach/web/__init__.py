"""The web app: sign and keep links, one-click unsubscribe, draft links, the live public
page and its join form, health and metrics. No SMTP or IMAP here."""
