// The player page of one asset: the media, its actions, then its sections. A section
// is a module under sections/ exporting a component that gets the asset, `reload`
// (read the asset again), `revision` (bumped after an action) and `player`
// (lib/player.js: the <video>, seek, shared reads); the domains that hang off an
// asset each add one module there and one entry in SECTIONS. An entry may also
// name an `overlay`, drawn over the video with the same props (annotations).
import { gql } from "../lib/api.js";
import { ACTIVE } from "../lib/fields.js";
import { html, useCallback, useEffect, useState } from "../lib/html.js";
import { usePlayer } from "../lib/player.js";
import { ErrorBox, StatusBadge, Thumb, bytes, duration, joined, pixels } from "../lib/ui.js";
import { Actions } from "../sections/actions.js";
import { AnnotationOverlay, AnnotationsSection } from "../sections/annotations.js";
import { DetailsSection } from "../sections/details.js";
import { JobsSection } from "../sections/jobs.js";
import { ProvenanceSection } from "../sections/provenance.js";
import { PublicationsSection } from "../sections/publications.js";
import { VersionsSection } from "../sections/versions.js";

const SECTIONS = [
  { id: "details", title: "Details", component: DetailsSection },
  { id: "versions", title: "Versions", component: VersionsSection },
  {
    id: "annotations",
    title: "Annotations",
    component: AnnotationsSection,
    overlay: AnnotationOverlay,
  },
  { id: "publications", title: "Publications", component: PublicationsSection },
  { id: "provenance", title: "Provenance", component: ProvenanceSection },
  { id: "jobs", title: "Jobs", component: JobsSection },
];

const ASSET = `
  query Player($id: ID!) {
    asset(id: $id) {
      id name kind status checksum sizeBytes mimeType originalFilename
      durationSeconds width height fps codec audioCodec bitrate container aspectRatio
      sourceType sourceUrl metadata archivedAt createdAt updatedAt errorCode
      errorMessage isArchived tags url thumbnailUrl
      project task version versionLabel author description reviewStatus approvedBy approvedAt
      provenance { provider model prompt params externalJobId cost completedAt }
    }
  }`;

function Media({ asset, player, children }) {
  if (asset.status !== "READY" || !asset.url) {
    return html`<div class="media waiting">
      <${Thumb} url=${asset.thumbnailUrl} kind=${asset.kind} status=${asset.status} />
    </div>`;
  }
  if (asset.kind === "IMAGE") {
    return html`<div class="media">
      <div class="frame">
        <img ref=${player.attach} src=${asset.url} alt=${asset.name} />${children}
      </div>
    </div>`;
  }
  if (asset.kind === "AUDIO") {
    return html`<div class="media"><audio controls src=${asset.url}></audio></div>`;
  }
  // The frame wraps the video tightly, so overlays share its box.
  return html`<div class="media">
    <div class="frame">
      <video
        ref=${player.attach}
        controls
        preload="metadata"
        poster=${asset.thumbnailUrl}
        src=${asset.url}
      ></video>
      ${children}
    </div>
  </div>`;
}

export function AssetPage({ params }) {
  const [id] = params;
  const [asset, setAsset] = useState(undefined);
  const [error, setError] = useState(null);
  // Bumped by an action: sections read their data again (a new job, say).
  const [revision, setRevision] = useState(0);
  const player = usePlayer();
  const reload = useCallback(async () => {
    try {
      setAsset((await gql(ASSET, { id })).asset);
    } catch (failure) {
      setError(failure);
    }
  }, [id]);
  const changed = useCallback(() => {
    setRevision((n) => n + 1);
    reload();
  }, [reload]);
  useEffect(() => {
    reload();
  }, [reload]);

  if (error) return html`<${ErrorBox} error=${error} />`;
  if (asset === undefined) return html`<p class="empty">Loading\u2026</p>`;
  if (asset === null) {
    return html`<p class="empty">No asset ${id} here. <a href="#/library">Library</a></p>`;
  }
  return html`<section class="player" data-asset-id=${asset.id} data-status=${asset.status}>
    <div class="page-head">
      <a href="#/library" class="back">\u2190 Library</a>
      <h1 title=${asset.name}>${asset.name}</h1>
      <${StatusBadge} status=${asset.status} />
      ${asset.isArchived ? html`<span class="badge status-canceled">ARCHIVED</span>` : null}
      <span class="spacer"></span>
      <${Actions} asset=${asset} changed=${changed} />
    </div>
    <p class="subtitle">
      ${joined(
        asset.task ? `${asset.project} / ${asset.task} ${asset.versionLabel}` : "",
        asset.kind,
        duration(asset.durationSeconds),
        pixels(asset.width, asset.height),
        bytes(asset.sizeBytes),
        asset.sourceType,
      )}
      ${asset.url
        ? html` \u00b7 <a href=${asset.url} download=${asset.name}>Download</a>`
        : null}
    </p>
    <${Media} asset=${asset} player=${player}>
      ${SECTIONS.filter((s) => s.overlay).map(
        ({ id: name, overlay: Overlay }) =>
          html`<${Overlay} key=${name} asset=${asset} revision=${revision} player=${player} />`,
      )}
    <//>
    <div class="sections">
      ${SECTIONS.map(
        ({ id: name, title, component: Section }) => html`<section
          class="panel section-${name}"
          data-section=${name}
        >
          <h2>${title}</h2>
          <${Section}
            asset=${asset}
            reload=${reload}
            revision=${revision}
            player=${player}
            active=${ACTIVE.has(asset.status)}
          />
        </section>`,
      )}
    </div>
  </section>`;
}
