// Workflows: the owner's saved graphs as cards (status, size, last run), with a
// status filter and a text search, read page by page on the connection's cursors.
import { gql } from "../lib/api.js";
import { html, useCallback, useEffect, useState } from "../lib/html.js";
import { usePaged } from "../lib/paged.js";
import {
  ErrorBox,
  MoreSentinel,
  StatusBadge,
  count,
  hashQuery,
  joined,
  setHashQuery,
  useDebounced,
  when,
} from "../lib/ui.js";

const WORKFLOWS = `
  query Workflows($first: Int!, $after: String, $filter: WorkflowFilter) {
    workflows(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node {
        id name description status revision definition createdAt updatedAt lastExecutedAt
      } }
    }
  }`;

function WorkflowCard({ workflow: w }) {
  const nodes = Array.isArray(w.definition?.nodes) ? w.definition.nodes.length : 0;
  const edges = Array.isArray(w.definition?.connections) ? w.definition.connections.length : 0;
  return html`<a
    class="card workflow-card status-${w.status.toLowerCase()}"
    href="#/workflows/${w.id}"
    data-workflow-id=${w.id}
    data-status=${w.status}
  >
    <div class="card-body">
      <div class="card-title" title=${w.name}>${w.name}</div>
      <div class="card-meta">
        <${StatusBadge} status=${w.status} />
        <span>${joined(count(nodes, "node"), count(edges, "edge"))}</span>
      </div>
      ${w.description ? html`<div class="small clamp">${w.description}</div>` : null}
      <div class="small">
        ${joined(
          w.revision ? `revision ${w.revision}` : "never saved",
          w.lastExecutedAt ? `last run ${when(w.lastExecutedAt)}` : "never run",
        )}
      </div>
    </div>
  </a>`;
}

export function WorkflowsPage() {
  const [status, setStatus] = useState(() => hashQuery().get("status") || "");
  const [text, setText] = useState(() => hashQuery().get("text") || "");
  const [typed, setTyped] = useState(text);
  useDebounced(typed, 300, setText);
  const key = `${status}|${text}`;
  useEffect(() => setHashQuery({ status, text }), [key]);
  const fetchPage = useCallback(
    async (after) => {
      const filter = {};
      if (status) filter.status = status;
      if (text.trim()) filter.text = text.trim();
      return (await gql(WORKFLOWS, { first: 24, after, filter })).workflows;
    },
    [key],
  );
  const list = usePaged(fetchPage, key);
  return html`<section class="workflows">
    <div class="page-head">
      <h1>Workflows</h1>
      <span class="count">${list.total === null ? "" : count(list.total, "workflow")}</span>
      <span class="spacer"></span>
      <button onClick=${list.reload}>Refresh</button>
    </div>
    <div class="filters">
      <input
        type="search"
        name="text"
        placeholder="Search name or description"
        value=${typed}
        onInput=${(e) => setTyped(e.target.value)}
      />
      <select name="status" value=${status} onChange=${(e) => setStatus(e.target.value)}>
        <option value="">Any status</option>
        ${["DRAFT", "SAVED", "ARCHIVED"].map(
          (s) => html`<option value=${s}>${s.toLowerCase()}</option>`,
        )}
      </select>
    </div>
    <${ErrorBox} error=${list.error} />
    <div class="grid">
      ${list.items.map((w) => html`<${WorkflowCard} key=${w.id} workflow=${w} />`)}
    </div>
    ${!list.loading && !list.items.length && !list.error
      ? html`<p class="empty">
          No workflows here. Create one through the API (<code>createWorkflow</code>).
        </p>`
      : null}
    <${MoreSentinel}
      hasMore=${list.pageInfo?.hasNextPage}
      loading=${list.loading}
      loadMore=${list.more}
    />
  </section>`;
}
