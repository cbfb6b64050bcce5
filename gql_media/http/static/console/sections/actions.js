// The player's actions: make the thumbnail from the frame on screen (a job,
// followed live), archive and restore. Each bumps `changed` so the page reads the
// asset and its jobs again.
import { gql, success } from "../lib/api.js";
import { useJob } from "../lib/follow.js";
import { html, useEffect, useState } from "../lib/html.js";
import { ErrorBox, ProgressBar } from "../lib/ui.js";

const THUMBNAIL = `
  mutation Thumbnail($id: ID!, $at: Float!) {
    regenerateThumbnail(id: $id, atSeconds: $at) {
      __typename
      ... on RegenerateThumbnailSuccess { job { id } }
      ... on Error { code message }
    }
  }`;

const ARCHIVE = `
  mutation Archive($id: ID!) {
    archiveAsset(id: $id) {
      __typename ... on ArchiveAssetSuccess { asset { id } } ... on Error { code message }
    }
  }`;

const RESTORE = `
  mutation Restore($id: ID!) {
    restoreAsset(id: $id) {
      __typename ... on RestoreAssetSuccess { asset { id } } ... on Error { code message }
    }
  }`;

export function Actions({ asset, changed }) {
  const [jobId, setJobId] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const job = useJob(jobId);
  useEffect(() => {
    if (job?.isFinished) changed();
  }, [job?.isFinished]);

  const run = async (query, variables, field) => {
    setBusy(true);
    setError(null);
    try {
      const result = success((await gql(query, variables))[field]);
      if (result.job) setJobId(result.job.id);
      changed();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const thisFrame = () => {
    const video = document.querySelector(".player video");
    const at = Math.round((video?.currentTime || 0) * 1000) / 1000;
    run(THUMBNAIL, { id: asset.id, at }, "regenerateThumbnail");
  };
  const working = busy || (jobId && !job?.isFinished);
  return html`<div class="player-actions">
    ${asset.kind === "VIDEO" && asset.status === "READY"
      ? html`<button onClick=${thisFrame} disabled=${working}>
          Use this frame as thumbnail
        </button>`
      : null}
    ${jobId && job && !job.isFinished
      ? html`<${ProgressBar} value=${job.progress} label=${job.stage} />`
      : null}
    ${asset.isArchived
      ? html`<button onClick=${() => run(RESTORE, { id: asset.id }, "restoreAsset")}
          disabled=${working}>Restore</button>`
      : html`<button onClick=${() => run(ARCHIVE, { id: asset.id }, "archiveAsset")}
          disabled=${working}>Archive</button>`}
    <${ErrorBox} error=${error} />
  </div>`;
}
