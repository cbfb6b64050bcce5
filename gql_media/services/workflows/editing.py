"""Workflow use cases: create, save with an expected revision, draft edits,
archive, restore a revision, delete."""

from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from gql_media import models
from gql_media.errors import Conflict, InvalidInput, NotFound
from gql_media.kit.ids import get_owned
from gql_media.models import WorkflowStatus
from gql_media.runtime import Runtime
from gql_media.services.jobs import lifecycle as jobs
from gql_media.services.workflows import graph
from gql_media.services.workflows.state import check_workflow_allows

MAX_NAME = 255
MAX_DESCRIPTION = 10_000


async def get_workflow(owner_id: str, workflow_id: object) -> models.Workflow:
    return await get_owned(models.Workflow, owner_id, workflow_id, "workflow")


def _check_text(name: str | None, description: str | None) -> None:
    if name is not None and not 0 < len(name.strip()) <= MAX_NAME:
        raise InvalidInput("name must be 1 to 255 characters", "name")
    if description is not None and len(description) > MAX_DESCRIPTION:
        raise InvalidInput("description is over 10,000 characters", "description")


async def create(
    owner_id: str,
    name: str,
    description: str = "",
    definition: dict[str, Any] | None = None,
) -> models.Workflow:
    """A DRAFT workflow; a given definition is checked structurally."""
    _check_text(name, description)
    if definition is not None:
        graph.check(definition, full=False)
    return await models.Workflow.create(
        owner_id=owner_id,
        name=name.strip(),
        description=description,
        definition=definition if definition is not None else graph.empty(),
    )


async def save(
    owner_id: str,
    workflow_id: object,
    definition: dict[str, Any],
    expected_revision: int,
    saved_by: str,
) -> models.Workflow:
    """Check the definition fully and keep it as the next revision; a DRAFT
    becomes SAVED.

    The revision moves with a compare-and-set UPDATE on `revision`, so of two
    saves racing on the same expected revision exactly one wins.

    Raises:
        Conflict: `expected_revision` is not the current revision.
    """
    workflow = await get_workflow(owner_id, workflow_id)
    check_workflow_allows(workflow.status, "save")
    graph.check(definition, full=True)
    return await _write_revision(workflow, definition, expected_revision, saved_by)


async def _write_revision(
    workflow: models.Workflow,
    definition: dict[str, Any],
    expected_revision: int,
    saved_by: str,
) -> models.Workflow:
    number = expected_revision + 1
    try:
        async with in_transaction():
            moved = await models.Workflow.filter(
                id=workflow.id,
                revision=expected_revision,
                status__in=[WorkflowStatus.DRAFT, WorkflowStatus.SAVED],
            ).update(
                revision=number, definition=definition, status=WorkflowStatus.SAVED
            )
            if not moved:
                raise _conflict(await models.Workflow.get(id=workflow.id))
            await models.WorkflowRevision.create(
                workflow_id=workflow.id,
                number=number,
                definition=definition,
                saved_by=saved_by[:255],
            )
    except IntegrityError:
        # The unique (workflow, number) index caught a racing save.
        raise _conflict(await models.Workflow.get(id=workflow.id)) from None
    return await models.Workflow.get(id=workflow.id)


def _conflict(current: models.Workflow) -> Conflict:
    return Conflict(
        f"the workflow is at revision {current.revision}; re-read it and save again",
        current.revision,
    )


async def update_draft(
    owner_id: str,
    workflow_id: object,
    *,
    name: str | None = None,
    description: str | None = None,
    definition: dict[str, Any] | None = None,
) -> models.Workflow:
    """Change the working copy (a partial graph is fine: params are not checked
    until a save); the revision stays."""
    workflow = await get_workflow(owner_id, workflow_id)
    check_workflow_allows(workflow.status, "update_draft")
    _check_text(name, description)
    fields: dict[str, Any] = {}
    if definition is not None:
        graph.check(definition, full=False)
        fields["definition"] = definition
    if name is not None:
        fields["name"] = name.strip()
    if description is not None:
        fields["description"] = description
    if fields:
        await models.Workflow.filter(id=workflow.id).update(**fields)
    return await models.Workflow.get(id=workflow.id)


async def archive(owner_id: str, workflow_id: object) -> models.Workflow:
    workflow = await get_workflow(owner_id, workflow_id)
    check_workflow_allows(workflow.status, "archive")
    await models.Workflow.filter(id=workflow.id).update(status=WorkflowStatus.ARCHIVED)
    return await models.Workflow.get(id=workflow.id)


async def restore_revision(
    owner_id: str,
    workflow_id: object,
    number: int,
    expected_revision: int,
    saved_by: str,
) -> models.Workflow:
    """Save an earlier revision's definition again, as the next revision."""
    workflow = await get_workflow(owner_id, workflow_id)
    check_workflow_allows(workflow.status, "restore_revision")
    old = await models.WorkflowRevision.get_or_none(
        workflow_id=workflow.id, number=number
    )
    if old is None:
        raise NotFound(f"the workflow has no revision {number}")
    return await _write_revision(workflow, old.definition, expected_revision, saved_by)


async def get_revision(
    owner_id: str, workflow_id: object, number: int
) -> models.WorkflowRevision | None:
    workflow = await get_workflow(owner_id, workflow_id)
    return await models.WorkflowRevision.get_or_none(
        workflow_id=workflow.id, number=number
    )


async def delete(runtime: Runtime, owner_id: str, workflow_id: object) -> str:
    """Delete the workflow, its revisions, executions and links (the assets
    stay), after stopping the jobs its executions started."""
    workflow = await get_workflow(owner_id, workflow_id)
    running = await models.Job.filter(
        node_runs__execution__workflow_id=workflow.id, status__in=jobs.ACTIVE
    ).distinct()
    await models.Workflow.filter(id=workflow.id).delete()
    for job in running:
        await jobs.halt(runtime, job, "the workflow was deleted")
    return str(workflow.id)
