"""Outbound webhooks: partners' endpoints, the deliveries fanned out of the outbox, signing."""
