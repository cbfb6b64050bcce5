// Player section: what the probe found and what the owner wrote.
import { html } from "../lib/html.js";
import { bytes, duration, pixels, when } from "../lib/ui.js";

export function DetailsSection({ asset }) {
  const rows = [
    ["Status", asset.status],
    ["Kind", asset.kind],
    ["Duration", duration(asset.durationSeconds)],
    ["Frame", pixels(asset.width, asset.height)],
    ["Aspect ratio", asset.aspectRatio],
    ["Frame rate", asset.fps ? `${Number(asset.fps).toFixed(2)} fps` : ""],
    ["Codec", [asset.codec, asset.audioCodec].filter(Boolean).join(" + ")],
    ["Bitrate", asset.bitrate ? `${Math.round(asset.bitrate / 1000)} kb/s` : ""],
    ["Container", asset.container],
    ["Size", bytes(asset.sizeBytes)],
    ["MIME type", asset.mimeType],
    ["Original file", asset.originalFilename],
    ["Source", asset.sourceType],
    ["Source URL", asset.sourceUrl],
    ["SHA-256", asset.checksum],
    ["Created", when(asset.createdAt)],
    ["Archived", when(asset.archivedAt)],
    ["Error", asset.errorCode ? `${asset.errorCode}: ${asset.errorMessage}` : ""],
  ].filter(([, value]) => value);
  const metadata = asset.metadata && Object.keys(asset.metadata).length;
  return html`<dl class="facts">
      ${rows.map(
        ([name, value]) => html`<dt>${name}</dt><dd data-fact=${name}>${value}</dd>`,
      )}
      <dt>Tags</dt>
      <dd>
        ${asset.tags.length
          ? asset.tags.map((tag) => html`<span class="tag">${tag}</span>`)
          : "\u2013"}
      </dd>
    </dl>
    ${metadata
      ? html`<h3>Metadata</h3><pre class="json">${JSON.stringify(asset.metadata, null, 2)}</pre>`
      : null}`;
}
