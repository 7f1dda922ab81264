"""The review queue: what the machine could not decide, and a person's decisions."""
