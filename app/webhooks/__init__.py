"""Webhooks from source systems: verify the sender, link the person, record, recompute."""
