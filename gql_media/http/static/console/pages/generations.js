// Generations: the owner's generation runs as cards (cover, status, progress,
// costs), filtered, with infinite scroll; a card opens the tree.
import { gql } from "../lib/api.js";
import { html, useCallback, useEffect, useState } from "../lib/html.js";
import { usePaged } from "../lib/paged.js";
import {
  ErrorBox,
  MoreSentinel,
  ProgressBar,
  StatusBadge,
  Thumb,
  count,
  joined,
  money,
  useDebounced,
  when,
} from "../lib/ui.js";

const GENERATIONS = `
  query Generations($first: Int!, $after: String, $filter: GenerationFilter) {
    generations(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node {
        id name status costEstimate actualCost createdAt coverThumbnailUrl
        variantTypes progress { scenesCompleted totalScenes fraction }
      } }
    }
  }`;

const STATS = `
  query GenerationStats {
    generationStats { generationCount totalCostEstimate totalActualCost scenesCompleted scenesFailed }
  }`;

function GenerationCard({ generation: g }) {
  return html`<a
    class="card status-${g.status.toLowerCase()}"
    href="#/generations/${g.id}"
    data-generation-id=${g.id}
    data-status=${g.status}
  >
    <${Thumb} url=${g.coverThumbnailUrl} kind="VIDEO" status=${g.status} alt=${g.name} />
    <div class="card-body">
      <div class="card-title" title=${g.name}>${g.name}</div>
      <div class="card-meta">
        <${StatusBadge} status=${g.status} />
        <span>${g.progress.scenesCompleted}/${g.progress.totalScenes} scenes</span>
      </div>
      <${ProgressBar} value=${g.progress.fraction} />
      <div class="card-meta small">
        <span>${g.variantTypes.join(", ")}</span>
        <span>
          ${g.actualCost === null
            ? `est. ${money(g.costEstimate)}`
            : `${money(g.actualCost)} spent`}
        </span>
      </div>
      <div class="card-meta small"><span>${when(g.createdAt)}</span></div>
    </div>
  </a>`;
}

function Stats() {
  const [stats, setStats] = useState(null);
  useEffect(() => {
    gql(STATS)
      .then((data) => setStats(data.generationStats))
      .catch(() => {});
  }, []);
  if (!stats) return null;
  return html`<p class="subtitle">
    ${joined(
      `${stats.generationCount} generations`,
      `${stats.scenesCompleted} scenes ready`,
      `${stats.scenesFailed} failed`,
      `estimated ${money(stats.totalCostEstimate)}`,
      `spent ${money(stats.totalActualCost)}`,
    )}
  </p>`;
}

export function GenerationsPage() {
  const [status, setStatus] = useState("");
  const [typed, setTyped] = useState("");
  const [text, setText] = useState("");
  useDebounced(typed, 300, setText);
  const key = `${status}|${text}`;
  const fetchPage = useCallback(async (after) => {
    const filter = {};
    if (status) filter.status = status;
    if (text.trim()) filter.text = text.trim();
    return (await gql(GENERATIONS, { first: 24, after, filter })).generations;
  }, [key]);
  const list = usePaged(fetchPage, key);
  return html`<section class="generations">
    <div class="page-head">
      <h1>Generations</h1>
      <span class="count">${list.total === null ? "" : count(list.total, "generation")}</span>
    </div>
    <${Stats} />
    <div class="filters">
      <input
        type="search"
        name="text"
        placeholder="Search name, source or prompt"
        value=${typed}
        onInput=${(e) => setTyped(e.target.value)}
      />
      <select name="status" value=${status} onChange=${(e) => setStatus(e.target.value)}>
        <option value="">Any status</option>
        ${["PENDING", "PROCESSING", "COMPLETED", "FAILED"].map(
          (s) => html`<option value=${s}>${s.toLowerCase()}</option>`,
        )}
      </select>
    </div>
    <${ErrorBox} error=${list.error} />
    <div class="grid">
      ${list.items.map((g) => html`<${GenerationCard} key=${g.id} generation=${g} />`)}
    </div>
    ${!list.loading && !list.items.length && !list.error
      ? html`<p class="empty">
          No generations yet: create one with <code>createGeneration</code>
          (see the README or <a href="/graphql">GraphiQL</a>).
        </p>`
      : null}
    <${MoreSentinel}
      hasMore=${list.pageInfo?.hasNextPage}
      loading=${list.loading}
      loadMore=${list.more}
    />
  </section>`;
}
