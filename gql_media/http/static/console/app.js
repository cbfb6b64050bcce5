// The console's shell: the header (pages, live state, token) and the router. Each
// page is one module under pages/ that exports a component; ROUTES maps the URL's
// #fragment to it. Adding a page: write pages/<name>.js, add a route (and a NAV
// entry if it belongs in the header). See "Web console" in the README.
import { getToken, onAuthProblem, onLiveState, setToken } from "./lib/api.js";
import { html, render, useEffect, useState } from "./lib/html.js";
import { AssetPage } from "./pages/asset.js";
import { GenerationPage } from "./pages/generation.js";
import { GenerationsPage } from "./pages/generations.js";
import { JobsPage } from "./pages/jobs.js";
import { LibraryPage } from "./pages/library.js";
import { WorkflowPage } from "./pages/workflow.js";
import { WorkflowsPage } from "./pages/workflows.js";

const ROUTES = [
  { pattern: /^\/library$/, page: LibraryPage, nav: "library" },
  { pattern: /^\/assets\/([^/]+)$/, page: AssetPage, nav: "library" },
  { pattern: /^\/generations$/, page: GenerationsPage, nav: "generations" },
  { pattern: /^\/generations\/([^/]+)$/, page: GenerationPage, nav: "generations" },
  { pattern: /^\/workflows$/, page: WorkflowsPage, nav: "workflows" },
  { pattern: /^\/workflows\/([^/]+)$/, page: WorkflowPage, nav: "workflows" },
  { pattern: /^\/jobs$/, page: JobsPage, nav: "jobs" },
];

const NAV = [
  { id: "library", label: "Library", href: "#/library" },
  { id: "generations", label: "Generations", href: "#/generations" },
  { id: "workflows", label: "Workflows", href: "#/workflows" },
  { id: "jobs", label: "Jobs", href: "#/jobs" },
];

function currentPath() {
  const path = decodeURIComponent(location.hash.replace(/^#/, "").split("?")[0]);
  return path && path !== "/" ? path : "/library";
}

function match(path) {
  for (const route of ROUTES) {
    const found = route.pattern.exec(path);
    if (found) return { route, params: found.slice(1) };
  }
  return null;
}

function LiveDot() {
  const [state, setState] = useState("idle");
  useEffect(() => onLiveState(setState), []);
  const title = {
    idle: "live updates: no subscription open",
    connecting: "live updates: connecting",
    live: "live updates: connected",
    offline: "live updates: disconnected, retrying",
  }[state];
  return html`<span class="live live-${state}" title=${title} data-live=${state}
    ><i></i>${state === "live" ? "live" : state}</span
  >`;
}

function TokenForm({ reason, onClose }) {
  const [value, setValue] = useState("");
  const save = (event) => {
    event.preventDefault();
    setToken(value);
    onClose(true);
  };
  const forget = () => {
    setToken("");
    onClose(true);
  };
  return html`<form class="token-form" onSubmit=${save} aria-label="API token">
    ${reason ? html`<p class="error">${reason}</p>` : null}
    <p>
      Paste an API token (<code>gqlm_...</code>). It is kept in this tab only
      (session storage) and sent with every request.
    </p>
    <input
      type="password"
      name="token"
      autocomplete="off"
      placeholder=${getToken() ? "a token is set; paste another to replace it" : "token"}
      value=${value}
      onInput=${(e) => setValue(e.target.value)}
    />
    <div class="actions">
      <button type="submit" class="primary" disabled=${!value.trim()}>Use token</button>
      ${getToken() ? html`<button type="button" onClick=${forget}>Forget token</button>` : null}
      <button type="button" onClick=${() => onClose(false)}>Close</button>
    </div>
  </form>`;
}

function App() {
  const [path, setPath] = useState(currentPath());
  const [tokenForm, setTokenForm] = useState(null); // null, or {reason}
  // Bumped when the token changes, so the page reads again with it.
  const [session, setSession] = useState(0);

  useEffect(() => {
    const onHash = () => setPath(currentPath());
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  useEffect(() => onAuthProblem((reason) => setTokenForm({ reason })), []);

  const found = match(path);
  const Page = found?.route.page;
  const closeForm = (changed) => {
    setTokenForm(null);
    if (changed) setSession((n) => n + 1);
  };
  return html`
    <header class="top">
      <a class="brand" href="#/library">gql-media</a>
      <nav>
        ${NAV.map(
          (item) => html`<a
            href=${item.href}
            class=${found?.route.nav === item.id ? "active" : ""}
            >${item.label}</a
          >`,
        )}
        <a href="/graphql" target="_blank" rel="noopener">GraphiQL</a>
      </nav>
      <span class="spacer"></span>
      <${LiveDot} />
      <button
        class="token-button"
        onClick=${() => setTokenForm(tokenForm ? null : { reason: "" })}
      >
        ${getToken() ? "Token \u2713" : "Token"}
      </button>
    </header>
    ${tokenForm
      ? html`<${TokenForm} reason=${tokenForm.reason} onClose=${closeForm} />`
      : null}
    <main key=${`${session}:${path}`}>
      ${Page
        ? html`<${Page} params=${found.params} />`
        : html`<p class="empty">No page at <code>#${path}</code>.</p>`}
    </main>
  `;
}

const root = document.getElementById("app");
root.textContent = ""; // the "Loading" line, which is not Preact's to replace
render(html`<${App} />`, root);
