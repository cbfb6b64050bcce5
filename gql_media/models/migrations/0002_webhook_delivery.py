from orjson import loads
from tortoise import fields, migrations
from tortoise.fields.data import JSON_DUMPS
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0001_initial")]

    initial = False

    operations = [
        ops.CreateModel(
            name="WebhookDelivery",
            fields=[
                (
                    "id",
                    fields.CharField(
                        primary_key=True, unique=True, db_index=True, max_length=255
                    ),
                ),
                ("provider", fields.CharField(max_length=32)),
                ("event", fields.CharField(max_length=32)),
                (
                    "external_id",
                    fields.CharField(null=True, db_index=True, max_length=255),
                ),
                ("owner_id", fields.CharField(db_index=True, max_length=64)),
                ("outcome", fields.CharField(default="", max_length=255)),
                (
                    "payload",
                    fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads),
                ),
                (
                    "received_at",
                    fields.DatetimeField(
                        db_index=True, auto_now=False, auto_now_add=True
                    ),
                ),
            ],
            options={
                "table": "webhook_delivery",
                "app": "models",
                "pk_attr": "id",
                "table_description": "One webhook delivery from a generation provider, keyed by its delivery id.",
            },
            bases=["Model"],
        ),
    ]
