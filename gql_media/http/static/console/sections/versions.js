// Player section: the versions of the asset's task (v001 first) with their review
// status, a link to each, the approved one marked and the one on screen
// highlighted; then this version's review history.
import { gql } from "../lib/api.js";
import { html, useEffect, useState } from "../lib/html.js";
import { ErrorBox, StatusBadge, Thumb, joined, when } from "../lib/ui.js";

const VERSIONS = `
  query Versions($id: ID!) {
    asset(id: $id) {
      id project task versionLabel reviewStatus
      versions {
        id name status kind versionLabel reviewStatus author description createdAt
        approvedBy approvedAt thumbnailUrl
      }
      reviewHistory { id action fromStatus toStatus principal note createdAt }
    }
  }`;

function label(status) {
  return (status || "").toLowerCase().replaceAll("_", " ");
}

function VersionRow({ version: v, current }) {
  const approved = v.reviewStatus === "APPROVED";
  return html`<li
    class="version review-${(v.reviewStatus || "").toLowerCase()} ${current ? "current" : ""}"
    data-version=${v.versionLabel}
    data-version-id=${v.id}
    data-review-status=${v.reviewStatus}
  >
    <a href="#/assets/${v.id}" class="version-link" title=${v.name}>
      <${Thumb} url=${v.thumbnailUrl} kind=${v.kind} status=${v.status} alt=${v.versionLabel} />
    </a>
    <div class="version-body">
      <div class="version-head">
        <a href="#/assets/${v.id}"><strong>${v.versionLabel}</strong></a>
        <span class="badge review-badge">${label(v.reviewStatus)}</span>
        ${approved
          ? html`<span class="approved-mark" title="The approved version of the task"
              >\u2713</span>`
          : null}
        ${current ? html`<span class="small">(shown)</span>` : null}
      </div>
      ${v.description ? html`<div class="version-description">${v.description}</div>` : null}
      <div class="small">
        ${joined(
          v.author,
          when(v.createdAt),
          approved && v.approvedBy ? `approved by ${v.approvedBy} ${when(v.approvedAt)}` : "",
        )}
      </div>
    </div>
  </li>`;
}

export function VersionsSection({ asset, revision }) {
  const [found, setFound] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    if (!asset.task) return;
    gql(VERSIONS, { id: asset.id })
      .then((data) => setFound(data.asset))
      .catch(setError);
  }, [asset.id, asset.task, revision]);
  if (!asset.task) {
    return html`<p class="empty">Not a version of a task (<code>createAssetVersion</code>).</p>`;
  }
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (!found) return html`<p class="empty">Loading\u2026</p>`;
  const history = found.reviewHistory;
  return html`<p class="small task-name">
      <strong>${found.project}</strong> / ${found.task}
    </p>
    <ol class="versions">
      ${found.versions.map(
        (v) => html`<${VersionRow} key=${v.id} version=${v} current=${v.id === asset.id} />`,
      )}
    </ol>
    ${history.length
      ? html`<h3>Review of ${found.versionLabel}</h3>
          <ul class="review-history">
            ${history.map(
              (e) => html`<li data-review-event=${e.action}>
                <strong>${label(e.action)}</strong>${` by ${e.principal} `}
                <span class="small">
                  ${label(e.fromStatus)} \u2192 ${label(e.toStatus)} \u00b7 ${when(e.createdAt)}
                </span>
                ${e.note ? html`<div class="review-note">${e.note}</div>` : null}
              </li>`,
            )}
          </ul>`
      : null}`;
}
