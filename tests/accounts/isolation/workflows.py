"""Cross-owner cases of the workflow root fields."""

from typing import Any

from gql_media import models
from tests.accounts.isolation import (
    ERROR,
    World,
    as_b,
    case,
    none_of_a,
    same,
    same_subscription,
    seed,
)


@seed
async def a_workflow(world: World) -> None:
    flow = await models.Workflow.create(
        owner_id=world.a.owner_id,
        name="a-flow",
        status=models.WorkflowStatus.SAVED,
        revision=1,
    )
    revision = await models.WorkflowRevision.create(
        workflow=flow, number=1, saved_by="a"
    )
    execution = await models.WorkflowExecution.create(
        owner_id=world.a.owner_id,
        workflow=flow,
        revision=revision,
        revision_number=1,
    )
    await models.NodeRun.create(execution=execution, node_id="n1", node_type="Output")
    world.ids["workflow"] = str(flow.id)
    world.ids["execution"] = str(execution.id)


@case("Query.workflow", "Query.workflowExecution", "Query.workflowRevision")
async def lookups(world: World) -> None:
    flow, run = world.ids["workflow"], world.ids["execution"]
    await same(world, "query ($id: ID!) { workflow(id: $id) { id } }", _id, flow)
    await same(
        world, "query ($id: ID!) { workflowExecution(id: $id) { id } }", _id, run
    )
    await same(
        world,
        "query ($id: ID!) { workflowRevision(workflowId: $id, number: 1) { number } }",
        _id,
        flow,
    )


@case("Query.workflows", "Query.workflowNodeTypes")
async def lists(world: World) -> None:
    body = await as_b(world, "{ workflows(first: 100) { edges { node { id } } } }", {})
    none_of_a(world, body)
    body = await as_b(world, "{ workflowNodeTypes { __typename } }", {})
    assert "errors" not in body, body


@case("Mutation.createWorkflow")
async def create_workflow(world: World) -> None:
    body = await as_b(
        world, f'mutation {{ createWorkflow(name: "b") {{ {ERROR} }} }}', {}
    )
    none_of_a(world, body)


@case(
    "Mutation.saveWorkflow",
    "Mutation.updateWorkflowDraft",
    "Mutation.archiveWorkflow",
    "Mutation.restoreWorkflowRevision",
    "Mutation.deleteWorkflow",
    "Mutation.startWorkflowExecution",
)
async def by_workflow_id(world: World) -> None:
    documents = [
        "mutation ($id: ID!) { saveWorkflow(id: $id, definition: {}, "
        f"expectedRevision: 1) {{ {ERROR} }} }}",
        'mutation ($id: ID!) { updateWorkflowDraft(id: $id, name: "b") '
        f"{{ {ERROR} }} }}",
        f"mutation ($id: ID!) {{ archiveWorkflow(id: $id) {{ {ERROR} }} }}",
        "mutation ($id: ID!) { restoreWorkflowRevision(workflowId: $id, number: 1, "
        f"expectedRevision: 1) {{ {ERROR} }} }}",
        "mutation ($id: ID!) { startWorkflowExecution(workflowId: $id) "
        f"{{ {ERROR} }} }}",
        f"mutation ($id: ID!) {{ deleteWorkflow(id: $id) {{ {ERROR} }} }}",
    ]
    for document in documents:
        await same(world, document, _id, world.ids["workflow"])


@case(
    "Mutation.reportNodeRun",
    "Mutation.linkWorkflowVideo",
    "Mutation.finishWorkflowExecution",
    "Mutation.cancelWorkflowExecution",
)
async def by_execution_id(world: World) -> None:
    documents = [
        'mutation ($id: ID!) { reportNodeRun(executionId: $id, nodeId: "n1", '
        f"status: RUNNING) {{ {ERROR} }} }}",
        f"mutation ($id: ID!) {{ finishWorkflowExecution(id: $id) {{ {ERROR} }} }}",
        f"mutation ($id: ID!) {{ cancelWorkflowExecution(id: $id) {{ {ERROR} }} }}",
    ]
    for document in documents:
        await same(world, document, _id, world.ids["execution"])
    link = (
        "mutation ($id: ID!, $asset: ID!) { linkWorkflowVideo(executionId: $id, "
        f'nodeId: "n1", input: {{assetId: $asset}}) {{ {ERROR} }} }}'
    )
    await same(
        world,
        link,
        lambda i: {"id": i, "asset": world.b_ids["asset"]},
        world.ids["execution"],
    )


@case("Mutation.stitchVideos")
async def stitch_videos(world: World) -> None:
    await same(
        world,
        "mutation ($id: ID!, $mine: ID!) { stitchVideos(input: {assetIds: "
        f"[$mine, $id]}}) {{ {ERROR} }} }}",
        lambda i: {"id": i, "mine": world.b_ids["asset"]},
        world.ids["asset"],
    )


@case("Subscription.workflowExecutionProgress")
async def execution_progress(world: World) -> None:
    await same_subscription(
        world,
        "subscription ($id: ID!) { workflowExecutionProgress(id: $id) { __typename } }",
        _id,
        world.ids["execution"],
    )


def _id(value: str) -> dict[str, Any]:
    return {"id": value}
