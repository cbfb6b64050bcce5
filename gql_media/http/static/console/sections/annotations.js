// Player section and overlay: the annotations of a version. The overlay draws each
// annotation's shape (point, rectangle, freehand path; positions are fractions of
// the frame) over the picture while the playhead is at its time, for SHOW_SECONDS
// from it, scaled to the size the picture is shown at. The section lists them in
// time order with their replies; clicking one pauses the video at its time. Both
// read the annotations once (player.shared).
import { gql } from "../lib/api.js";
import { html, useEffect, useState } from "../lib/html.js";
import { useFrameBox, usePlayhead } from "../lib/player.js";
import { ErrorBox, joined, when } from "../lib/ui.js";

/** How long an annotation stays drawn after its time, in seconds. */
export const SHOW_SECONDS = 1;

const NOTE = `
  id atSeconds frame shape width height text author parentId isResolved resolvedBy
  createdAt position { x y } points { x y }`;

const ANNOTATIONS = `
  query Annotations($id: ID!) {
    asset(id: $id) { id annotations { ${NOTE} replies { ${NOTE} } } }
  }`;

const SHAPE_NAME = { POINT: "point", RECTANGLE: "rectangle", PATH: "freehand" };

function useAnnotations(asset, revision, player) {
  const [state, setState] = useState({ items: null, error: null });
  useEffect(() => {
    let live = true;
    player
      .shared(`annotations:${asset.id}:${revision}`, () => gql(ANNOTATIONS, { id: asset.id }))
      .then((data) => {
        // Threads: the replies come nested under their first annotation.
        const items = (data.asset?.annotations || []).filter((a) => !a.parentId);
        if (live) setState({ items, error: null });
      })
      .catch((error) => live && setState({ items: null, error }));
    return () => {
      live = false;
    };
  }, [asset.id, revision, player.shared]);
  return state;
}

function tolerance(asset) {
  // Half a frame: a seek lands on the frame, a hair before its exact time.
  return asset.fps ? 0.5 / asset.fps : 0.02;
}

function onScreen(note, time, slack) {
  return time >= note.atSeconds - slack && time < note.atSeconds + SHOW_SECONDS;
}

/** 75.25 -> "1:15.3". */
function clock(seconds) {
  const m = Math.floor(seconds / 60);
  const s = (seconds - m * 60).toFixed(1).padStart(4, "0");
  return `${m}:${s}`;
}

function Shape({ note, number, box }) {
  const x = note.position.x * box.width;
  const y = note.position.y * box.height;
  let shape;
  let label = { x: x + 12, y: y - 12 };
  if (note.shape === "RECTANGLE") {
    shape = html`<rect
      class="annotation-shape"
      x=${x}
      y=${y}
      width=${(note.width || 0) * box.width}
      height=${(note.height || 0) * box.height}
      rx="2"
    />`;
    label = { x: x + 12, y: y + 12 };
  } else if (note.shape === "PATH" && note.points?.length) {
    const points = note.points.map((p) => `${p.x * box.width},${p.y * box.height}`);
    shape = html`<polyline class="annotation-shape" points=${points.join(" ")} />`;
    label = {
      x: note.points[0].x * box.width + 12,
      y: note.points[0].y * box.height - 12,
    };
  } else {
    shape = html`<g class="annotation-shape">
      <circle class="annotation-ring" cx=${x} cy=${y} r="10" />
      <circle class="annotation-dot" cx=${x} cy=${y} r="2.5" />
    </g>`;
  }
  // Keep the number inside the picture.
  const lx = Math.min(Math.max(label.x, 10), box.width - 10);
  const ly = Math.min(Math.max(label.y, 10), box.height - 10);
  return html`<g
    class="annotation-mark ${note.isResolved ? "resolved" : ""}"
    data-annotation-id=${note.id}
    data-shape=${note.shape}
  >
    <title>${note.author}: ${note.text}</title>
    ${shape}
    <circle class="annotation-badge" cx=${lx} cy=${ly} r="9" />
    <text class="annotation-number" x=${lx} y=${ly}>${number}</text>
  </g>`;
}

export function AnnotationOverlay({ asset, revision, player }) {
  const { items } = useAnnotations(asset, revision, player);
  const time = usePlayhead(player.media);
  const box = useFrameBox(player.media);
  if (!items?.length || !box) return null;
  const slack = tolerance(asset);
  const shown = items
    .map((note, n) => ({ note, number: n + 1 }))
    .filter(({ note }) => onScreen(note, time, slack));
  return html`<svg
    class="annotation-overlay"
    style=${{ left: `${box.left}px`, top: `${box.top}px` }}
    width=${box.width}
    height=${box.height}
    viewBox="0 0 ${box.width} ${box.height}"
    aria-hidden="true"
    data-shown=${shown.map(({ note }) => note.id).join(" ")}
  >
    ${shown.map(
      ({ note, number }) =>
        html`<${Shape} key=${note.id} note=${note} number=${number} box=${box} />`,
    )}
  </svg>`;
}

export function AnnotationsSection({ asset, revision, player }) {
  const { items, error } = useAnnotations(asset, revision, player);
  const time = usePlayhead(player.media);
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (!items) return html`<p class="empty">Loading\u2026</p>`;
  if (!items.length) {
    return html`<p class="empty">No annotations (<code>addAnnotation</code>).</p>`;
  }
  const slack = tolerance(asset);
  const seekable = player.media instanceof HTMLVideoElement;
  return html`<ol class="annotations">
    ${items.map((note, n) => {
      const on = onScreen(note, time, slack);
      return html`<li
        class="annotation ${on ? "on-screen" : ""} ${note.isResolved ? "resolved" : ""}"
        data-annotation-id=${note.id}
        data-at=${note.atSeconds}
      >
        <button
          class="seek"
          onClick=${() => player.seek(note.atSeconds)}
          disabled=${!seekable}
          title=${seekable ? "Show this frame" : ""}
        >
          <span class="annotation-number">${n + 1}</span>
          <span>${clock(note.atSeconds)}</span>
          <span class="small">frame ${note.frame} \u00b7 ${SHAPE_NAME[note.shape] || note.shape}</span>
        </button>
        <p class="annotation-text">${note.text}</p>
        <p class="small">
          ${joined(
            note.author,
            when(note.createdAt),
            note.isResolved ? `resolved by ${note.resolvedBy}` : "",
          )}
        </p>
        ${note.replies.length
          ? html`<ul class="replies">
              ${note.replies.map(
                (r) => html`<li data-reply-id=${r.id}>
                  <strong>${r.author}</strong> ${r.text}
                  <span class="small"> \u00b7 ${when(r.createdAt)}</span>
                </li>`,
              )}
            </ul>`
          : null}
      </li>`;
    })}
  </ol>`;
}
