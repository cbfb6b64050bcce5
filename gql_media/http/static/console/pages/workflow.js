// One workflow: its saved graph drawn read-only (lib/graph.js), each node with the
// thumbnails of the videos linked to it, and its executions; a running execution
// follows workflowExecutionProgress, so the graph's node statuses change live.
// The graph shows one execution at a time (the newest, or the one picked), drawn
// from the revision that execution runs.
import { gql, subscribe } from "../lib/api.js";
import { WorkflowGraph } from "../lib/graph.js";
import { html, useEffect, useMemo, useState } from "../lib/html.js";
import { ErrorBox, StatusBadge, hashQuery, joined, setHashQuery, when } from "../lib/ui.js";

const LINKED = "role asset { id name status thumbnailUrl }";

const EXECUTION = `
  id workflowId revisionNumber status startedAt finishedAt error eventRevision
  nodes {
    nodeId nodeType status startedAt finishedAt error
    job { id status progress }
    videos { ${LINKED} }
  }`;

const WORKFLOW = `
  query Workflow($id: ID!) {
    workflow(id: $id) {
      id name description status revision definition createdAt updatedAt lastExecutedAt
      executions { ${EXECUTION} }
      videos { nodeId ${LINKED} }
    }
  }`;

const REVISION = `
  query Revision($id: ID!, $number: Int!) {
    workflowRevision(workflowId: $id, number: $number) { number definition }
  }`;

const PROGRESS = `
  subscription ExecutionProgress($id: ID!) {
    workflowExecutionProgress(id: $id) { revision status isFinished execution { ${EXECUTION} } }
  }`;

const EXECUTION_NOW = `query Execution($id: ID!) { workflowExecution(id: $id) { ${EXECUTION} } }`;

const POLL_MS = 3000;

/** Calls `onExecution` with each newer state; polls if live updates fail. */
function followExecution(id, onExecution) {
  let stopped = false;
  let timer = null;
  const poll = async () => {
    if (stopped) return;
    try {
      const { workflowExecution: execution } = await gql(EXECUTION_NOW, { id });
      if (execution) onExecution(execution);
      if (!execution || execution.status !== "RUNNING") return;
    } catch {
      // try again below
    }
    timer = setTimeout(poll, POLL_MS);
  };
  const stop = subscribe(PROGRESS, { id }, {
    next: (data) => {
      const event = data.workflowExecutionProgress;
      if (!stopped && event.execution) onExecution(event.execution);
    },
    error: () => poll(),
  });
  return () => {
    stopped = true;
    clearTimeout(timer);
    stop();
  };
}

function ExecutionRow({ execution: e, selected, onSelect, onChange }) {
  const running = e.status === "RUNNING";
  useEffect(() => (running ? followExecution(e.id, onChange) : undefined), [e.id, running]);
  const done = e.nodes.filter((n) => n.status === "COMPLETED").length;
  return html`<tr
    class="execution status-${e.status.toLowerCase()} ${selected ? "selected" : ""}"
    data-execution-id=${e.id}
    data-status=${e.status}
    onClick=${() => onSelect(e.id)}
  >
    <td><input type="radio" name="execution" checked=${selected} aria-label="show on the graph" /></td>
    <td><${StatusBadge} status=${e.status} /></td>
    <td>${when(e.startedAt)}</td>
    <td>${when(e.finishedAt) || "\u2013"}</td>
    <td>${e.revisionNumber}</td>
    <td>${done}/${e.nodes.length} nodes completed</td>
    <td class="job-error" title=${e.error || ""}>${e.error || ""}</td>
  </tr>`;
}

function NodeRuns({ execution }) {
  return html`<table class="table node-runs">
    <thead>
      <tr><th>Node</th><th>Type</th><th>Status</th><th>Started</th><th>Finished</th><th>Videos</th><th>Error</th></tr>
    </thead>
    <tbody>
      ${execution.nodes.map(
        (n) => html`<tr class="status-${n.status.toLowerCase()}" data-node-run=${n.nodeId}>
          <td><code>${n.nodeId}</code></td>
          <td>${n.nodeType}</td>
          <td><${StatusBadge} status=${n.status} /></td>
          <td>${when(n.startedAt)}</td>
          <td>${when(n.finishedAt)}</td>
          <td>${n.videos.filter((v) => v.asset).map(
            (v) => html`<a href="#/assets/${v.asset.id}" title=${v.role}>${v.asset.name}</a> `,
          )}</td>
          <td class="job-error" title=${n.error || ""}>${n.error || ""}</td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

const ROLE_ORDER = { OUTPUT: 0, INTERMEDIATE: 1, INPUT: 2 };

/** nodeId -> live assets, each once, what the node made first. */
function byNode(links) {
  const found = new Map();
  const sorted = [...links].sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role]);
  for (const link of sorted) {
    if (!link.asset) continue;
    const list = found.get(link.nodeId) || found.set(link.nodeId, []).get(link.nodeId);
    if (!list.some((a) => a.id === link.asset.id)) list.push({ ...link.asset, role: link.role });
  }
  return found;
}

export function WorkflowPage({ params }) {
  const [id] = params;
  const [workflow, setWorkflow] = useState(undefined);
  const [executions, setExecutions] = useState([]);
  const [picked, setPicked] = useState(() => hashQuery().get("execution") || "");
  const [revisions, setRevisions] = useState({}); // number -> definition
  const [error, setError] = useState(null);
  const [round, setRound] = useState(0); // Refresh

  useEffect(() => {
    gql(WORKFLOW, { id })
      .then(({ workflow: w }) => {
        setWorkflow(w);
        setExecutions(w ? w.executions : []);
      })
      .catch(setError);
  }, [id, round]);
  useEffect(() => setHashQuery({ execution: picked }), [picked]);

  const onChange = (execution) =>
    setExecutions((all) =>
      all.map((e) =>
        e.id === execution.id && execution.eventRevision >= e.eventRevision ? execution : e,
      ),
    );
  const shown = executions.find((e) => e.id === picked) || executions[0] || null;
  // The working copy is what the execution ran only if it is saved at that revision.
  const needsRevision =
    shown &&
    workflow &&
    !(workflow.status === "SAVED" && shown.revisionNumber === workflow.revision);
  useEffect(() => {
    if (!needsRevision || revisions[shown.revisionNumber]) return;
    gql(REVISION, { id, number: shown.revisionNumber })
      .then(({ workflowRevision: r }) =>
        r && setRevisions((all) => ({ ...all, [r.number]: r.definition })),
      )
      .catch(setError);
  }, [needsRevision, shown?.revisionNumber]);

  const runs = useMemo(
    () => new Map((shown?.nodes || []).map((n) => [n.nodeId, n])),
    [shown],
  );
  const videos = useMemo(() => {
    if (!shown) return byNode(workflow?.videos || []);
    return byNode(shown.nodes.flatMap((n) => n.videos.map((v) => ({ ...v, nodeId: n.nodeId }))));
  }, [shown, workflow]);

  if (error && !workflow) return html`<${ErrorBox} error=${error} />`;
  if (workflow === undefined) return html`<p class="empty">Loading\u2026</p>`;
  if (workflow === null) {
    return html`<p class="empty">No workflow ${id}. <a href="#/workflows">All</a></p>`;
  }
  const w = workflow;
  const definition = needsRevision ? revisions[shown.revisionNumber] : w.definition;
  return html`<section class="workflow" data-workflow-id=${w.id} data-status=${w.status}>
    <div class="page-head">
      <a href="#/workflows" class="back">\u2190 Workflows</a>
      <h1 title=${w.name}>${w.name}</h1>
      <${StatusBadge} status=${w.status} />
      <span class="spacer"></span>
      <button onClick=${() => setRound((n) => n + 1)}>Refresh</button>
    </div>
    <p class="subtitle">
      ${joined(
        w.description,
        w.revision ? `revision ${w.revision}` : "never saved",
        `updated ${when(w.updatedAt)}`,
        w.lastExecutedAt ? `last run ${when(w.lastExecutedAt)}` : "never run",
      )}
    </p>
    <${ErrorBox} error=${error} />
    <section class="panel graph-panel" data-drawn-revision=${needsRevision ? shown.revisionNumber : w.revision}>
      <h2>
        Graph
        <span class="small">
          ${shown
            ? ` \u00b7 revision ${shown.revisionNumber}, execution of ${when(shown.startedAt)}`
            : " \u00b7 working copy"}
        </span>
      </h2>
      ${definition
        ? html`<${WorkflowGraph} definition=${definition} runs=${runs} videos=${videos} />`
        : html`<p class="empty">Loading\u2026</p>`}
    </section>
    <section class="panel">
      <h2>Executions</h2>
      ${executions.length
        ? html`<table class="table executions">
            <thead>
              <tr><th></th><th>Status</th><th>Started</th><th>Finished</th><th>Revision</th><th>Nodes</th><th>Error</th></tr>
            </thead>
            <tbody>
              ${executions.map(
                (e) => html`<${ExecutionRow}
                  key=${e.id}
                  execution=${e}
                  selected=${shown?.id === e.id}
                  onSelect=${setPicked}
                  onChange=${onChange}
                />`,
              )}
            </tbody>
          </table>`
        : html`<p class="empty">Not run yet (<code>startWorkflowExecution</code>).</p>`}
      ${shown ? html`<h3>Nodes of the execution shown</h3><${NodeRuns} execution=${shown} />` : null}
    </section>
  </section>`;
}
