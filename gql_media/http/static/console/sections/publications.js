// Player section: where the asset is published, one row per platform with its
// status, attempts, retries, post link and last error, and the trail of its
// transitions; live through publicationProgress (a new publication appears, a
// retry shows as it happens).
import { gql, subscribe } from "../lib/api.js";
import { html, useEffect, useState } from "../lib/html.js";
import { ErrorBox, StatusBadge, joined, when } from "../lib/ui.js";

const PUBLICATION = `
  id platform status postId postUrl retryCount errorCode lastError lastAttemptAt
  scheduledAt nextRetryAt publishedAt revision createdBy createdAt`;

const EVENT = "id at publicationId fromStatus toStatus retryCount error principal revision";

const PUBLICATIONS = `
  query Publications($id: ID!) {
    asset(id: $id) { id publications { ${PUBLICATION} } }
    publicationEvents(first: 100, filter: {assetId: $id}) { edges { node { ${EVENT} } } }
  }`;

const PROGRESS = `
  subscription Publications($id: ID!) {
    publicationProgress(filter: {assetId: $id}) {
      event { ${EVENT} }
      publication { ${PUBLICATION} }
    }
  }`;

/** Keep the newer of two states of a publication (events may pass the read). */
function newer(old, next) {
  return !old || next.revision >= old.revision ? next : old;
}

function Trail({ events }) {
  if (!events.length) return null;
  return html`<ol class="trail">
    ${events.map(
      (e) => html`<li class="status-${e.toStatus.toLowerCase()}" title=${joined(
        when(e.at),
        e.principal,
        e.error,
      )}>
        ${e.toStatus.toLowerCase().replaceAll("_", " ")}
      </li>`,
    )}
  </ol>`;
}

function PublicationRow({ publication: p, events }) {
  const attempts = events.filter((e) => e.toStatus === "IN_PROGRESS").length;
  const post = p.postUrl
    ? html`<a href=${p.postUrl} target="_blank" rel="noopener">${p.postId || "post"}</a>`
    : p.postId;
  return html`<li
    class="publication status-${p.status.toLowerCase()}"
    data-publication-id=${p.id}
    data-platform=${p.platform}
    data-status=${p.status}
  >
    <div class="publication-head">
      <strong>${p.platform}</strong>
      <${StatusBadge} status=${p.status} />
      <span class="small" data-attempts=${attempts}>
        ${joined(
          `${attempts} attempt${attempts === 1 ? "" : "s"}`,
          p.retryCount ? `${p.retryCount} failed` : "",
        )}
      </span>
      <span class="spacer"></span>
      ${post ? html`<span class="small">post ${post}</span>` : null}
    </div>
    <div class="small">
      ${joined(
        p.lastAttemptAt ? `last attempt ${when(p.lastAttemptAt)}` : "",
        p.scheduledAt && p.status === "PENDING" ? `scheduled ${when(p.scheduledAt)}` : "",
        p.nextRetryAt ? `next retry ${when(p.nextRetryAt)}` : "",
        p.publishedAt ? `published ${when(p.publishedAt)}` : "",
        `by ${p.createdBy}`,
      )}
    </div>
    ${p.lastError || p.errorCode
      ? html`<div class="publication-error">${joined(p.errorCode, p.lastError)}</div>`
      : null}
    <${Trail} events=${events} />
  </li>`;
}

export function PublicationsSection({ asset, revision }) {
  const [publications, setPublications] = useState(null); // id -> publication
  const [events, setEvents] = useState(new Map()); // event id -> event
  const [error, setError] = useState(null);
  useEffect(() => {
    const addEvents = (list) =>
      setEvents((all) => {
        const next = new Map(all);
        for (const e of list) next.set(e.id, e);
        return next;
      });
    const put = (p) =>
      setPublications((all) => ({ ...(all || {}), [p.id]: newer(all?.[p.id], p) }));
    // Listen first, then read: nothing that happens in between is missed.
    const stop = subscribe(PROGRESS, { id: asset.id }, {
      next: ({ publicationProgress: progress }) => {
        if (progress.event) addEvents([progress.event]);
        if (progress.publication) put(progress.publication);
      },
      error: setError,
    });
    gql(PUBLICATIONS, { id: asset.id })
      .then((data) => {
        setPublications((all) => {
          const next = { ...(all || {}) };
          for (const p of data.asset?.publications || []) next[p.id] = newer(next[p.id], p);
          return next;
        });
        addEvents(data.publicationEvents.edges.map((edge) => edge.node));
      })
      .catch(setError);
    return stop;
  }, [asset.id, revision]);

  if (!publications) {
    return error ? html`<${ErrorBox} error=${error} />` : html`<p class="empty">Loading\u2026</p>`;
  }
  const rows = Object.values(publications).sort((a, b) => a.platform.localeCompare(b.platform));
  const trail = (id) =>
    [...events.values()].filter((e) => e.publicationId === id).sort((a, b) => a.revision - b.revision);
  return html`<${ErrorBox} error=${error} />
    ${rows.length
      ? html`<ul class="publications">
          ${rows.map(
            (p) => html`<${PublicationRow} key=${p.id} publication=${p} events=${trail(p.id)} />`,
          )}
        </ul>`
      : html`<p class="empty">Not published (<code>publishAsset</code>).</p>`}`;
}
