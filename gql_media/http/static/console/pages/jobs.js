// Jobs: the owner's jobs, newest first, with filters, live progress bars while they
// run, cancel (queued or running) and retry (failed or cancelled).
import { gql, success } from "../lib/api.js";
import { JOB_ROW } from "../lib/fields.js";
import { followJob } from "../lib/follow.js";
import { html, useCallback, useEffect, useState } from "../lib/html.js";
import { usePaged } from "../lib/paged.js";
import {
  ErrorBox,
  MoreSentinel,
  ProgressBar,
  StatusBadge,
  count,
  hashQuery,
  setHashQuery,
  when,
} from "../lib/ui.js";

const JOBS = `
  query Jobs($first: Int!, $after: String, $filter: JobFilter) {
    jobs(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { ${JOB_ROW} } }
    }
  }`;

const CANCEL = `
  mutation Cancel($id: ID!) {
    cancelJob(id: $id) {
      __typename
      ... on CancelJobSuccess { job { ${JOB_ROW} } }
      ... on Error { code message }
    }
  }`;

const RETRY = `
  mutation Retry($id: ID!) {
    retryJob(id: $id) {
      __typename
      ... on RetryJobSuccess { job { ${JOB_ROW} } }
      ... on Error { code message }
    }
  }`;

const STATUSES = ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELED"];
const KINDS = ["IMPORT_URL", "PROCESS_UPLOAD", "REGENERATE_THUMBNAIL", "EXPORT_GENERATION"];

function JobRow({ job: initial }) {
  const [job, setJob] = useState(initial);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  // Follow while it runs; a retry starts the job again, so follow again.
  useEffect(() => {
    if (job.isFinished) return undefined;
    return followJob(job.id, setJob);
  }, [job.id, job.isFinished]);

  const act = (mutation, field) => async () => {
    setBusy(true);
    setError(null);
    try {
      const data = await gql(mutation, { id: job.id });
      setJob(success(data[field]).job);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const asset = job.asset;
  return html`<tr class="status-${job.status.toLowerCase()}" data-job-id=${job.id} data-status=${job.status}>
    <td>${job.kind}</td>
    <td><${StatusBadge} status=${job.status} /></td>
    <td>${job.stage}</td>
    <td class="progress-cell">
      <${ProgressBar} value=${job.progress} label=${job.message || job.stage} />
    </td>
    <td>
      ${asset
        ? html`<a href="#/assets/${asset.id}" class="asset-link">
            ${asset.thumbnailUrl
              ? html`<img class="mini" src=${asset.thumbnailUrl} alt="" />`
              : null}
            <span>${asset.name}</span>
          </a>`
        : job.downloadUrl
          ? html`<a href=${job.downloadUrl} download>Download</a>`
          : "\u2013"}
    </td>
    <td>${job.attempts}/${job.maxAttempts}</td>
    <td>${when(job.createdAt)}</td>
    <td class="job-error" title=${job.errorMessage || ""}>
      ${job.errorCode || ""}<${ErrorBox} error=${error} />
    </td>
    <td class="actions">
      ${job.status === "QUEUED" || job.status === "RUNNING"
        ? html`<button onClick=${act(CANCEL, "cancelJob")} disabled=${busy}>Cancel</button>`
        : null}
      ${job.status === "FAILED" || job.status === "CANCELED"
        ? html`<button onClick=${act(RETRY, "retryJob")} disabled=${busy}>Retry</button>`
        : null}
    </td>
  </tr>`;
}

export function JobsPage() {
  const [status, setStatus] = useState(() => hashQuery().get("status") || "");
  const [kind, setKind] = useState(() => hashQuery().get("kind") || "");
  const key = `${status}|${kind}`;
  useEffect(() => setHashQuery({ status, kind }), [key]);
  const fetchPage = useCallback(async (after) => {
    const filter = {};
    if (status) filter.status = status;
    if (kind) filter.kind = kind;
    return (await gql(JOBS, { first: 30, after, filter })).jobs;
  }, [key]);
  const list = usePaged(fetchPage, key);
  return html`<section class="jobs">
    <div class="page-head">
      <h1>Jobs</h1>
      <span class="count">${list.total === null ? "" : count(list.total, "job")}</span>
      <span class="spacer"></span>
      <button onClick=${list.reload}>Refresh</button>
    </div>
    <div class="filters">
      <select name="status" value=${status} onChange=${(e) => setStatus(e.target.value)}>
        <option value="">Any status</option>
        ${STATUSES.map((s) => html`<option value=${s}>${s.toLowerCase()}</option>`)}
      </select>
      <select name="kind" value=${kind} onChange=${(e) => setKind(e.target.value)}>
        <option value="">Any kind</option>
        ${KINDS.map((k) => html`<option value=${k}>${k.toLowerCase().replaceAll("_", " ")}</option>`)}
      </select>
    </div>
    <${ErrorBox} error=${list.error} />
    <table class="table jobs-table">
      <thead>
        <tr>
          <th>Kind</th><th>Status</th><th>Stage</th><th>Progress</th><th>Asset</th>
          <th>Attempts</th><th>Created</th><th>Error</th><th></th>
        </tr>
      </thead>
      <tbody>
        ${list.items.map((job) => html`<${JobRow} key=${job.id} job=${job} />`)}
      </tbody>
    </table>
    ${!list.loading && !list.items.length && !list.error
      ? html`<p class="empty">No jobs.</p>`
      : null}
    <${MoreSentinel}
      hasMore=${list.pageInfo?.hasNextPage}
      loading=${list.loading}
      loadMore=${list.more}
    />
  </section>`;
}
