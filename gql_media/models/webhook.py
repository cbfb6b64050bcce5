"""The WebhookDelivery aggregate: webhooks received, kept so replays do nothing."""

from tortoise import fields
from tortoise.models import Model


class WebhookDelivery(Model):
    """One webhook delivery from a generation provider, keyed by its delivery id.

    The row is written in the same transaction as the work the delivery caused, so
    its primary key is what makes a replayed or concurrent delivery do nothing.
    Deliveries refused before that point (bad signature, refused URL) leave no row.
    """

    # The provider's delivery id (the `webhook-id` header), the same on retries.
    id = fields.CharField(max_length=255, primary_key=True)
    provider = fields.CharField(max_length=32)
    # The provider's status of the thing it reports on, e.g. "succeeded".
    event = fields.CharField(max_length=32)
    # The provider's id of the prediction or job the delivery is about.
    external_id = fields.CharField(max_length=255, null=True, db_index=True)
    owner_id = fields.CharField(max_length=64, db_index=True)
    # What the delivery led to, for people: "imported 2", "recorded failed".
    outcome = fields.CharField(max_length=255, default="")
    # A trimmed copy of the body (no logs, capped outputs); never secrets.
    payload: dict | None = fields.JSONField(null=True)
    received_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "webhook_delivery"

    def __str__(self) -> str:
        return f"WebhookDelivery({self.id}, {self.provider}, {self.event})"
