// Player section: where an AI-generated asset came from.
import { html } from "../lib/html.js";
import { money, when } from "../lib/ui.js";

export function ProvenanceSection({ asset }) {
  const p = asset.provenance;
  if (!p) return html`<p class="empty">Not recorded (not a generated asset).</p>`;
  const rows = [
    ["Provider", p.provider],
    ["Model", p.model],
    ["Prompt", p.prompt],
    ["Provider job", p.externalJobId],
    ["Cost", p.cost === null || p.cost === undefined ? "" : money(p.cost)],
    ["Completed", when(p.completedAt)],
  ].filter(([, value]) => value);
  return html`<dl class="facts">
      ${rows.map(([name, value]) => html`<dt>${name}</dt><dd>${value}</dd>`)}
    </dl>
    ${p.params ? html`<pre class="json">${JSON.stringify(p.params, null, 2)}</pre>` : null}`;
}
