"""The Workflow aggregate: saved graphs, their revisions, executions, node runs
and which node produced or consumed which asset."""

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from gql_media.models.asset import Asset
    from gql_media.models.job import Job


class WorkflowStatus(StrEnum):
    DRAFT = "DRAFT"
    SAVED = "SAVED"
    ARCHIVED = "ARCHIVED"


class ExecutionStatus(StrEnum):
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELED = "CANCELED"

    @property
    def is_finished(self) -> bool:
        return self is not ExecutionStatus.RUNNING


class NodeRunStatus(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELED = "CANCELED"

    @property
    def is_finished(self) -> bool:
        return self not in (NodeRunStatus.PENDING, NodeRunStatus.RUNNING)


class WorkflowVideoRole(StrEnum):
    INPUT = "INPUT"
    OUTPUT = "OUTPUT"
    INTERMEDIATE = "INTERMEDIATE"


class Workflow(Model):
    """A node graph owned by an owner: `definition` is the working copy.

    `revision` grows by one with every save, and each save is kept as a
    `WorkflowRevision` of that number (no semicolons here: SQLite's schema
    editor splits the table comment on them)."""

    id = fields.UUIDField(primary_key=True)
    owner_id = fields.CharField(max_length=64, db_index=True)
    name = fields.CharField(max_length=255)
    description = fields.TextField(default="")
    status = fields.CharEnumField(
        WorkflowStatus, max_length=16, default=WorkflowStatus.DRAFT, db_index=True
    )
    definition: dict = fields.JSONField(default=dict)
    revision = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)
    last_executed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "workflow"


class WorkflowRevision(Model):
    """One saved definition of a workflow, as it was saved."""

    id = fields.UUIDField(primary_key=True)
    workflow: fields.ForeignKeyRelation[Workflow] = fields.ForeignKeyField(
        "models.Workflow", related_name="revisions", on_delete=fields.CASCADE
    )
    number = fields.IntField()
    definition: dict = fields.JSONField(default=dict)
    saved_at = fields.DatetimeField(auto_now_add=True)
    saved_by = fields.CharField(max_length=255)

    class Meta:
        table = "workflow_revision"
        unique_together = (("workflow", "number"),)


class WorkflowExecution(Model):
    """One run of a saved revision. `event_revision` grows with every change of
    the execution or one of its node runs (the subscription's order)."""

    id = fields.UUIDField(primary_key=True)
    owner_id = fields.CharField(max_length=64, db_index=True)
    workflow: fields.ForeignKeyRelation[Workflow] = fields.ForeignKeyField(
        "models.Workflow", related_name="executions", on_delete=fields.CASCADE
    )
    revision: fields.ForeignKeyRelation[WorkflowRevision] = fields.ForeignKeyField(
        "models.WorkflowRevision", related_name="executions", on_delete=fields.CASCADE
    )
    revision_number = fields.IntField()
    status = fields.CharEnumField(
        ExecutionStatus, max_length=16, default=ExecutionStatus.RUNNING, db_index=True
    )
    started_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    finished_at = fields.DatetimeField(null=True)
    execution_data: dict = fields.JSONField(default=dict)
    error_message = fields.TextField(null=True)
    event_revision = fields.IntField(default=0)

    class Meta:
        table = "workflow_execution"


class NodeRun(Model):
    """The state of one node in one execution."""

    id = fields.UUIDField(primary_key=True)
    execution: fields.ForeignKeyRelation[WorkflowExecution] = fields.ForeignKeyField(
        "models.WorkflowExecution", related_name="node_runs", on_delete=fields.CASCADE
    )
    node_id = fields.CharField(max_length=128)
    node_type = fields.CharField(max_length=64)
    position = fields.IntField(default=0)  # topological order
    status = fields.CharEnumField(
        NodeRunStatus, max_length=16, default=NodeRunStatus.PENDING
    )
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    error_message = fields.TextField(null=True)
    outputs: dict = fields.JSONField(default=dict)
    job: fields.ForeignKeyNullableRelation["Job"] = fields.ForeignKeyField(
        "models.Job", related_name="node_runs", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "workflow_node_run"
        unique_together = (("execution", "node_id"),)


class WorkflowVideo(Model):
    """Which node of which execution produced or consumed which asset."""

    id = fields.UUIDField(primary_key=True)
    workflow: fields.ForeignKeyRelation[Workflow] = fields.ForeignKeyField(
        "models.Workflow", related_name="videos", on_delete=fields.CASCADE
    )
    execution: fields.ForeignKeyRelation[WorkflowExecution] = fields.ForeignKeyField(
        "models.WorkflowExecution", related_name="videos", on_delete=fields.CASCADE
    )
    node_id = fields.CharField(max_length=128)
    node_type = fields.CharField(max_length=64)
    role = fields.CharEnumField(WorkflowVideoRole, max_length=16)
    asset: fields.ForeignKeyRelation["Asset"] = fields.ForeignKeyField(
        "models.Asset", related_name="workflow_links", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "workflow_video"
        unique_together = (("execution", "node_id", "asset", "role"),)
