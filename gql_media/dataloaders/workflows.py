"""Batch functions of the workflow tree: one query per level, whatever its size."""

from gql_media import models
from gql_media.dataloaders.batch import rows_grouped_by

revisions_by_workflow_id = rows_grouped_by(
    models.WorkflowRevision, "workflow_id", "-number"
)
executions_by_workflow_id = rows_grouped_by(
    models.WorkflowExecution, "workflow_id", "-started_at", "-id"
)
node_runs_by_execution_id = rows_grouped_by(models.NodeRun, "execution_id", "position")
workflow_videos_by_workflow_id = rows_grouped_by(
    models.WorkflowVideo, "workflow_id", "created_at", "id"
)
workflow_videos_by_execution_id = rows_grouped_by(
    models.WorkflowVideo, "execution_id", "created_at", "id"
)
workflow_videos_by_asset_id = rows_grouped_by(
    models.WorkflowVideo, "asset_id", "created_at", "id"
)
