"""Change events: the transactional outbox, their delivery to subscriptions, outbound webhooks."""
