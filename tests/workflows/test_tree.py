"""The workflow tree reads in a fixed number of SQL statements, whatever the
number of executions, node runs and linked videos."""

from uuid import uuid4

from gql_media import models
from tests.conftest import Server
from tests.support.generations import count_statements
from tests.support.graphql import data
from tests.workflows.support import stitch_graph

TREE = """
query ($id: ID!) {
  workflow(id: $id) {
    id name revision
    revisions { number savedAt savedBy }
    executions {
      id status
      nodes { nodeId status outputs videos { role asset { id name status } } }
      videos { nodeId role asset { id name durationSeconds thumbnailUrl tags
               workflowLinks { nodeId } } }
    }
  }
}
"""


async def seed(executions: int) -> str:
    """A workflow with 2 revisions and `executions` runs, each with 4 node runs
    and 3 linked READY videos, written in a few bulk statements."""
    definition = stitch_graph(["http://x/a.mp4", "http://x/b.mp4"])
    workflow = await models.Workflow.create(
        owner_id="local", name="tree", status=models.WorkflowStatus.SAVED,
        definition=definition, revision=2,
    )  # fmt: skip
    revisions = [
        models.WorkflowRevision(
            id=uuid4(), workflow_id=workflow.id, number=n, definition=definition,
            saved_by="local",
        )
        for n in (1, 2)
    ]  # fmt: skip
    await models.WorkflowRevision.bulk_create(revisions)
    runs, nodes, assets, links = [], [], [], []
    for e in range(executions):
        run = models.WorkflowExecution(
            id=uuid4(), owner_id="local", workflow_id=workflow.id,
            revision_id=revisions[1].id, revision_number=2,
            status=models.ExecutionStatus.COMPLETED,
        )  # fmt: skip
        runs.append(run)
        for p, node_id in enumerate(("import0", "import1", "stitch", "out")):
            nodes.append(
                models.NodeRun(
                    id=uuid4(), execution_id=run.id, node_id=node_id,
                    node_type="ImportVideo", position=p,
                    status=models.NodeRunStatus.COMPLETED,
                )
            )  # fmt: skip
        for i, node_id in enumerate(("import0", "import1", "stitch")):
            asset = models.Asset(
                id=uuid4(), owner_id="local", name=f"e{e}-{i}",
                source_type=models.SourceType.IMPORTED,
                status=models.AssetStatus.READY, kind=models.AssetKind.VIDEO,
                duration_seconds=1.0, thumbnail_key=f"thumbs/{e}-{i}.jpg",
            )  # fmt: skip
            assets.append(asset)
            links.append(
                models.WorkflowVideo(
                    id=uuid4(), workflow_id=workflow.id, execution_id=run.id,
                    node_id=node_id, node_type="ImportVideo",
                    role=models.WorkflowVideoRole.OUTPUT, asset_id=asset.id,
                )
            )  # fmt: skip
    await models.WorkflowExecution.bulk_create(runs)
    await models.NodeRun.bulk_create(nodes)
    await models.Asset.bulk_create(assets)
    await models.WorkflowVideo.bulk_create(links)
    return str(workflow.id)


async def test_the_tree_query_costs_the_same_statements_at_any_size(
    server: Server,
) -> None:
    counts = {}
    for size in (3, 30):
        wf = await seed(size)
        with count_statements() as statements:
            tree = (await data(server.url, TREE, {"id": wf}))["workflow"]
        counts[size] = len(statements)
        assert len(tree["executions"]) == size
        assert [r["number"] for r in tree["revisions"]] == [2, 1]
        for run in tree["executions"]:
            assert len(run["nodes"]) == 4 and len(run["videos"]) == 3
            assert all(v["asset"]["thumbnailUrl"] for v in run["videos"])
            linked = [v for n in run["nodes"] for v in n["videos"]]
            assert len(linked) == 3
    print(f"SQL statements of the workflow tree query: {counts}")
    assert counts[3] == counts[30] <= 10, counts
