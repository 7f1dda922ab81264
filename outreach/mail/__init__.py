"""Mail plumbing: composing, the SMTP outbox sender, the mailbox reader. Knows no campaigns."""
