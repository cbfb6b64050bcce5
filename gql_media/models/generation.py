"""The Generation aggregate: generation -> variants -> scenes, and its metadata."""

from tortoise import fields
from tortoise.models import Model

from gql_media.models.asset import Asset
from gql_media.models.enums import (
    GenerationSourceType,
    GenerationStatus,
    MetadataKind,
    SceneStatus,
)
from gql_media.models.job import Job


class Generation(Model):
    """One AI generation run over a source video, with its costs and outcome.

    Its status and scene counts are derived from the scenes (never incremented),
    so a job that runs twice cannot count twice. `revision` grows by one on every
    change in the tree, so a subscriber can drop bus events older than what it read.
    """

    id = fields.UUIDField(primary_key=True)
    owner_id = fields.CharField(max_length=64, db_index=True)
    name = fields.CharField(max_length=255, default="")
    source_url = fields.TextField()
    source_type = fields.CharEnumField(GenerationSourceType, max_length=16)
    status = fields.CharEnumField(
        GenerationStatus,
        max_length=16,
        default=GenerationStatus.PENDING,
        db_index=True,
    )
    # The variant types in the order given at creation, e.g. ["soft", "medium"].
    variant_types: list = fields.JSONField(default=list)
    scenes_per_variant = fields.IntField()
    total_scenes = fields.IntField()
    scenes_completed = fields.IntField(default=0)
    cost_estimate = fields.DecimalField(max_digits=14, decimal_places=6, null=True)
    actual_cost = fields.DecimalField(max_digits=14, decimal_places=6, null=True)
    error_message = fields.TextField(null=True)
    revision = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)
    completed_at = fields.DatetimeField(null=True, db_index=True)

    variants: fields.ReverseRelation["Variant"]
    metadata_rows: fields.ReverseRelation["GenerationMetadata"]

    class Meta:
        table = "generation"

    def __str__(self) -> str:
        return f"Generation({self.id}, {self.status})"


class Variant(Model):
    """One variant style of a generation (soft, medium, ... or a custom name)."""

    id = fields.UUIDField(primary_key=True)
    generation: fields.ForeignKeyRelation[Generation] = fields.ForeignKeyField(
        "models.Generation", related_name="variants", on_delete=fields.CASCADE
    )
    variant_type = fields.CharField(max_length=64)
    # Order of the variant within its generation (0-based, as created).
    position = fields.IntField()
    status = fields.CharEnumField(
        GenerationStatus, max_length=16, default=GenerationStatus.PENDING
    )
    scenes_completed = fields.IntField(default=0)
    total_scenes = fields.IntField()
    error_message = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    completed_at = fields.DatetimeField(null=True)

    scenes: fields.ReverseRelation["Scene"]

    class Meta:
        table = "generation_variant"
        unique_together = (("generation", "variant_type"),)

    def __str__(self) -> str:
        return f"Variant({self.id}, {self.variant_type}, {self.status})"


class Scene(Model):
    """One scene of a variant: a generated video, which arrives through a job.

    `job` is the job that brings the video (an import or an upload's processing);
    the scene follows it. `owns_asset` is true when that attach created the asset,
    so deleting the generation deletes it; an existing asset attached by reference
    stays in the owner's library.
    """

    id = fields.UUIDField(primary_key=True)
    variant: fields.ForeignKeyRelation[Variant] = fields.ForeignKeyField(
        "models.Variant", related_name="scenes", on_delete=fields.CASCADE
    )
    number = fields.IntField()
    prompt = fields.TextField(null=True)
    provider_video_id = fields.CharField(max_length=255, null=True)
    provider_status = fields.CharField(max_length=64, null=True)
    asset: fields.ForeignKeyNullableRelation[Asset] = fields.ForeignKeyField(
        "models.Asset",
        related_name="scenes",
        null=True,
        on_delete=fields.SET_NULL,
    )
    job: fields.ForeignKeyNullableRelation[Job] = fields.ForeignKeyField(
        "models.Job",
        related_name="scenes",
        null=True,
        on_delete=fields.SET_NULL,
    )
    owns_asset = fields.BooleanField(default=False)
    status = fields.CharEnumField(
        SceneStatus, max_length=16, default=SceneStatus.PENDING
    )
    error_message = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    completed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "generation_scene"
        unique_together = (("variant", "number"),)
        # Every finished job looks up its scene, and deleting a generation asks
        # which other scenes still use an asset.
        indexes = (("job_id",), ("asset_id",))

    def __str__(self) -> str:
        return f"Scene({self.id}, {self.number}, {self.status})"


class GenerationMetadata(Model):
    """A JSON document about a generation, one per kind.

    The kinds are analysis, transformation, prompts and evaluation; saving a kind
    again replaces its document.
    """

    id = fields.UUIDField(primary_key=True)
    generation: fields.ForeignKeyRelation[Generation] = fields.ForeignKeyField(
        "models.Generation", related_name="metadata_rows", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(MetadataKind, max_length=32)
    data: dict = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "generation_metadata"
        unique_together = (("generation", "kind"),)
