// A workflow definition drawn read-only as SVG: nodes as boxes (id, type, the
// status of one execution's run of it, thumbnails of its linked videos), edges
// as curves from an output to an input, laid out in layers left to right.
import { html, useMemo } from "./html.js";
import { layered } from "./layout.js";

const WIDTH = 184;
const HEIGHT = 58;
const THUMBS = 3;
const THUMB = { width: 50, height: 28, gap: 5 };
const THUMB_ROW = THUMB.height + 12;

/** "node:port" -> [node, port]. */
function end(text) {
  const at = String(text).lastIndexOf(":");
  return at < 0 ? [String(text), ""] : [text.slice(0, at), text.slice(at + 1)];
}

function clip(text, length) {
  return text.length > length ? `${text.slice(0, length - 1)}\u2026` : text;
}

function curve(from, to) {
  const x1 = from.x + from.width;
  const y1 = from.y + from.height / 2;
  const x2 = to.x;
  const y2 = to.y + to.height / 2;
  const bend = Math.max(36, Math.abs(x2 - x1) / 2);
  return `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`;
}

function Thumbs({ assets }) {
  const shown = assets.slice(0, THUMBS);
  const more = assets.length - shown.length;
  return html`<g class="node-videos" transform="translate(14, ${HEIGHT - 4})">
    ${shown.map((asset, n) => {
      const x = n * (THUMB.width + THUMB.gap);
      return html`<a href="#/assets/${asset.id}" data-video-id=${asset.id}>
        <title>${asset.name} (${asset.role.toLowerCase()})</title>
        <rect class="thumb-frame" x=${x} width=${THUMB.width} height=${THUMB.height} rx="3" />
        ${asset.thumbnailUrl
          ? html`<image
              href=${asset.thumbnailUrl}
              x=${x}
              width=${THUMB.width}
              height=${THUMB.height}
              preserveAspectRatio="xMidYMid slice"
            />`
          : null}
      </a>`;
    })}
    ${more > 0
      ? html`<text class="node-more" x=${THUMBS * (THUMB.width + THUMB.gap)} y="22">+${more}</text>`
      : null}
  </g>`;
}

/**
 * `definition`: {nodes, connections}; `runs`: nodeId -> NodeRun of the execution
 * shown (or none); `videos`: nodeId -> assets linked to the node.
 */
export function WorkflowGraph({ definition, runs = new Map(), videos = new Map() }) {
  const nodes = Array.isArray(definition?.nodes) ? definition.nodes : [];
  const connections = Array.isArray(definition?.connections) ? definition.connections : [];
  const edges = useMemo(
    () =>
      connections.map((c) => {
        const [from, output] = end(c.from);
        const [to, input] = end(c.to);
        return { from, output, to, input };
      }),
    [definition],
  );
  const withVideos = new Set([...videos].filter(([, list]) => list.length).map(([id]) => id));
  const sizeKey = [...withVideos].sort().join(",");
  const layout = useMemo(
    () =>
      layered(
        nodes.map((n) => String(n.id)),
        edges.map((e) => [e.from, e.to]),
        (id) => ({ width: WIDTH, height: HEIGHT + (withVideos.has(id) ? THUMB_ROW : 0) }),
        { gapX: 48 },
      ),
    [definition, sizeKey],
  );
  if (!nodes.length) return html`<p class="empty">This workflow has no nodes yet.</p>`;
  const { boxes } = layout;
  return html`<div class="graph-scroll">
    <svg
      class="graph"
      width=${layout.width}
      height=${layout.height}
      viewBox="0 0 ${layout.width} ${layout.height}"
      role="img"
      aria-label="workflow graph"
    >
      <defs>
        <marker id="graph-arrow" viewBox="0 0 10 10" refX="9" refY="5"
          markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path class="edge-head" d="M0,0 L10,5 L0,10 z" />
        </marker>
      </defs>
      <g class="edges">
        ${edges.map((e) => {
          const from = boxes.get(e.from);
          const to = boxes.get(e.to);
          if (!from || !to) return null;
          return html`<path
            class="edge"
            d=${curve(from, to)}
            marker-end="url(#graph-arrow)"
            data-from=${e.from}
            data-to=${e.to}
          ><title>${e.from}.${e.output} \u2192 ${e.to}.${e.input}</title></path>`;
        })}
      </g>
      <g class="nodes">
        ${nodes.map((node) => {
          const id = String(node.id);
          const box = boxes.get(id);
          const run = runs.get(id);
          const status = run?.status || "NONE";
          const linked = videos.get(id) || [];
          return html`<g
            class="node status-${status.toLowerCase()}"
            transform="translate(${box.x}, ${box.y})"
            data-node-id=${id}
            data-status=${status}
          >
            <title>${[id, node.type, run?.error].filter(Boolean).join("\n")}</title>
            <rect class="node-box" width=${box.width} height=${box.height} rx="8" />
            <rect class="node-band" width="6" height=${box.height} rx="3" />
            <text class="node-id" x="16" y="22">${clip(id, run ? 12 : 20)}</text>
            ${run
              ? html`<text class="node-status" x=${box.width - 10} y="22">${status.toLowerCase()}</text>`
              : null}
            <text class="node-type" x="16" y="42">${clip(String(node.type || ""), 24)}</text>
            ${linked.length ? html`<${Thumbs} assets=${linked} />` : null}
          </g>`;
        })}
      </g>
    </svg>
  </div>`;
}
