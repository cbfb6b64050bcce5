// Player section: the jobs that worked on the asset, live while they run; when one
// ends, the asset is read again (status, thumbnail, probe results).
import { gql } from "../lib/api.js";
import { JOB_ROW } from "../lib/fields.js";
import { useJob } from "../lib/follow.js";
import { html, useEffect, useState } from "../lib/html.js";
import { ErrorBox, ProgressBar, StatusBadge, when } from "../lib/ui.js";

const JOBS = `
  query AssetJobs($assetId: ID!) {
    jobs(first: 20, filter: {assetId: $assetId}) { edges { node { ${JOB_ROW} } } }
  }`;

function JobLine({ job: initial, onEnd }) {
  const live = useJob(initial.isFinished ? null : initial.id, initial);
  const job = live || initial;
  useEffect(() => {
    if (job.isFinished && !initial.isFinished) onEnd();
  }, [job.isFinished]);
  return html`<tr class="status-${job.status.toLowerCase()}" data-job-id=${job.id} data-status=${job.status}>
    <td>${job.kind}</td>
    <td><${StatusBadge} status=${job.status} /></td>
    <td>${job.stage}</td>
    <td class="progress-cell"><${ProgressBar} value=${job.progress} /></td>
    <td>${job.attempts}/${job.maxAttempts}</td>
    <td>${when(job.createdAt)}</td>
    <td class="job-error">${job.errorCode ? `${job.errorCode}: ${job.errorMessage}` : ""}</td>
  </tr>`;
}

export function JobsSection({ asset, reload, revision }) {
  const [jobs, setJobs] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    gql(JOBS, { assetId: asset.id })
      .then((data) => setJobs(data.jobs.edges.map((edge) => edge.node)))
      .catch(setError);
  }, [asset.id, revision]);
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (!jobs) return html`<p class="empty">Loading\u2026</p>`;
  if (!jobs.length) return html`<p class="empty">No jobs.</p>`;
  return html`<table class="table">
    <thead>
      <tr>
        <th>Kind</th><th>Status</th><th>Stage</th><th>Progress</th>
        <th>Attempts</th><th>Created</th><th>Error</th>
      </tr>
    </thead>
    <tbody>
      ${jobs.map((job) => html`<${JobLine} key=${job.id} job=${job} onEnd=${reload} />`)}
    </tbody>
  </table>`;
}
