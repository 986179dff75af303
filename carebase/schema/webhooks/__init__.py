"""Schema of the webhooks area: partners' endpoints and their deliveries."""

from carebase.schema.webhooks.endpoints import WebhookMutation, WebhookQuery

__all__ = ["WebhookMutation", "WebhookQuery"]
