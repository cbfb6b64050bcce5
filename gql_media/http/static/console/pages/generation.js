// One generation as a tree: variants as rows, scenes as thumbnails with status
// colours, costs and progress, updating live through generationProgress; and the
// export button (a job whose downloadUrl is the ZIP).
import { gql, subscribe, success } from "../lib/api.js";
import { useJob } from "../lib/follow.js";
import { html, useEffect, useState } from "../lib/html.js";
import {
  ErrorBox,
  ProgressBar,
  StatusBadge,
  Thumb,
  duration,
  money,
  when,
} from "../lib/ui.js";

const TREE = `
  id name status sourceUrl sourceType costEstimate actualCost errorMessage revision
  createdAt completedAt variantTypes scenesPerVariant
  progress { scenesCompleted totalScenes fraction }
  variants {
    id variantType status scenesCompleted totalScenes errorMessage
    scenes {
      id number prompt status errorMessage
      video { id name durationSeconds thumbnailUrl }
    }
  }`;

const GENERATION = `query Generation($id: ID!) { generation(id: $id) { ${TREE} } }`;

const PROGRESS = `
  subscription GenerationProgress($id: ID!) {
    generationProgress(id: $id) { revision isFinished deleted generation { ${TREE} } }
  }`;

const EXPORT = `
  mutation Export($id: ID!) {
    exportGeneration(id: $id) {
      __typename
      ... on ExportGenerationSuccess { job { id } }
      ... on Error { code message }
    }
  }`;

const RETRY_SCENE = `
  mutation RetryScene($id: ID!) {
    retryScene(id: $id) {
      __typename
      ... on RetrySceneSuccess { scene { id status } }
      ... on Error { code message }
    }
  }`;

function SceneTile({ scene, onRetried }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const video = scene.video;
  const retry = async () => {
    setBusy(true);
    setError(null);
    try {
      success((await gql(RETRY_SCENE, { id: scene.id })).retryScene);
      // The generation reopens; its subscription had completed at FAILED.
      onRetried();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const thumb = html`<${Thumb}
    url=${video?.thumbnailUrl}
    kind="VIDEO"
    status=${scene.status}
    alt=${`scene ${scene.number}`}
  />`;
  const title = [scene.prompt, scene.errorMessage].filter(Boolean).join("\n");
  return html`<div
    class="scene status-${scene.status.toLowerCase()}"
    data-scene-id=${scene.id}
    data-scene-number=${scene.number}
    data-status=${scene.status}
    title=${title}
  >
    ${video?.thumbnailUrl ? html`<a href="#/assets/${video.id}">${thumb}</a>` : thumb}
    <span class="scene-number">${scene.number}</span>
    ${video?.durationSeconds
      ? html`<span class="duration">${duration(video.durationSeconds)}</span>`
      : null}
    ${scene.status === "FAILED"
      ? html`<button class="scene-retry" onClick=${retry} disabled=${busy}>Retry</button>`
      : null}
    ${error ? html`<span class="scene-error">${error.message}</span>` : null}
  </div>`;
}

function VariantRow({ variant, onRetried }) {
  return html`<div
    class="variant status-${variant.status.toLowerCase()}"
    data-variant=${variant.variantType}
    data-status=${variant.status}
  >
    <div class="variant-head">
      <strong>${variant.variantType}</strong>
      <${StatusBadge} status=${variant.status} />
      <span class="small">${variant.scenesCompleted}/${variant.totalScenes}</span>
      ${variant.errorMessage
        ? html`<span class="error small">${variant.errorMessage}</span>`
        : null}
    </div>
    <div class="scenes">
      ${variant.scenes.map(
        (scene) => html`<${SceneTile} key=${scene.id} scene=${scene} onRetried=${onRetried} />`,
      )}
    </div>
  </div>`;
}

function ExportButton({ generation }) {
  const [jobId, setJobId] = useState(null);
  const [error, setError] = useState(null);
  const job = useJob(jobId);
  const start = async () => {
    setError(null);
    try {
      const data = await gql(EXPORT, { id: generation.id });
      setJobId(success(data.exportGeneration).job.id);
    } catch (failure) {
      setError(failure);
    }
  };
  const running = jobId && !job?.isFinished;
  return html`<div class="export" data-export=${job?.status || ""}>
    <button class="primary" onClick=${start} disabled=${running}>
      ${running ? "Exporting\u2026" : "Export ZIP"}
    </button>
    ${running && job ? html`<${ProgressBar} value=${job.progress} label=${job.stage} />` : null}
    ${job?.status === "SUCCEEDED" && job.downloadUrl
      ? html`<a class="button" href=${job.downloadUrl} download>Download ZIP</a>`
      : null}
    ${job?.status === "FAILED" || job?.status === "CANCELED"
      ? html`<span class="error small">${job.errorCode}: ${job.errorMessage}</span>`
      : null}
    <${ErrorBox} error=${error} />
  </div>`;
}

export function GenerationPage({ params }) {
  const [id] = params;
  const [generation, setGeneration] = useState(undefined);
  const [deleted, setDeleted] = useState(false);
  const [error, setError] = useState(null);
  // generationProgress completes at COMPLETED or FAILED; a retried scene reopens
  // the generation, so following starts again (the first event is the row).
  const [round, setRound] = useState(0);

  useEffect(() => {
    let revision = -1;
    const apply = (g) => {
      // Events may pass the first read; keep the newest revision only.
      if (g && g.revision >= revision) {
        revision = g.revision;
        setGeneration(g);
      }
    };
    gql(GENERATION, { id })
      .then((data) => (data.generation ? apply(data.generation) : setGeneration(null)))
      .catch(setError);
    return subscribe(PROGRESS, { id }, {
      next: (data) => {
        const event = data.generationProgress;
        if (event.deleted) setDeleted(true);
        else apply(event.generation);
      },
      error: setError,
    });
  }, [id, round]);

  if (deleted) return html`<p class="empty">This generation was deleted.</p>`;
  if (error && !generation) return html`<${ErrorBox} error=${error} />`;
  if (generation === undefined) return html`<p class="empty">Loading\u2026</p>`;
  if (generation === null) {
    return html`<p class="empty">No generation ${id}. <a href="#/generations">All</a></p>`;
  }
  const g = generation;
  return html`<section class="tree" data-generation-id=${g.id} data-status=${g.status}
    data-revision=${g.revision}>
    <div class="page-head">
      <a href="#/generations" class="back">\u2190 Generations</a>
      <h1 title=${g.name}>${g.name}</h1>
      <${StatusBadge} status=${g.status} />
      <span class="spacer"></span>
      <${ExportButton} generation=${g} />
    </div>
    <div class="tree-summary status-${g.status.toLowerCase()}">
      <div>
        <${ProgressBar} value=${g.progress.fraction} />
        <span class="small">${g.progress.scenesCompleted} of ${g.progress.totalScenes} scenes ready</span>
      </div>
      <span>Estimated <strong>${money(g.costEstimate)}</strong></span>
      <span>Actual <strong>${money(g.actualCost)}</strong></span>
      <span class="small">Created ${when(g.createdAt)}</span>
      ${g.completedAt ? html`<span class="small">Completed ${when(g.completedAt)}</span>` : null}
    </div>
    <p class="subtitle" title=${g.sourceUrl}>Source (${g.sourceType}): ${g.sourceUrl}</p>
    ${g.errorMessage ? html`<p class="error">${g.errorMessage}</p>` : null}
    <${ErrorBox} error=${error} />
    <div class="variants">
      ${g.variants.map(
        (v) => html`<${VariantRow}
          key=${v.id}
          variant=${v}
          onRetried=${() => setRound((n) => n + 1)}
        />`,
      )}
    </div>
  </section>`;
}
