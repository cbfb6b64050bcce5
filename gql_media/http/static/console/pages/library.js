// Library: the owner's assets as a thumbnail grid with live status, filters,
// infinite scroll, drag-and-drop upload with a progress bar per file, URL import.
import { gql, success, upload } from "../lib/api.js";
import { ACTIVE, ASSET_CARD } from "../lib/fields.js";
import { followJob } from "../lib/follow.js";
import { html, useCallback, useEffect, useRef, useState } from "../lib/html.js";
import { usePaged } from "../lib/paged.js";
import {
  ErrorBox,
  MoreSentinel,
  ProgressBar,
  StatusBadge,
  Thumb,
  bytes,
  count,
  duration,
  hashQuery,
  joined,
  pixels,
  setHashQuery,
  useDebounced,
} from "../lib/ui.js";

const PAGE_SIZE = 24;
const PARALLEL_UPLOADS = 2;

const ASSETS = `
  query Library($first: Int!, $after: String, $filter: AssetFilter) {
    assets(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { ${ASSET_CARD} } }
    }
  }`;

const UPLOAD = `
  mutation Upload($file: Upload!) {
    uploadAsset(file: $file) {
      __typename
      ... on UploadAssetSuccess { isDuplicate asset { ${ASSET_CARD} } job { id } }
      ... on Error { code message }
    }
  }`;

const IMPORT = `
  mutation Import($input: ImportAssetInput!) {
    importAsset(input: $input) {
      __typename
      ... on ImportAssetSuccess { asset { ${ASSET_CARD} } job { id } }
      ... on Error { code message }
    }
  }`;

const LATEST_JOB = `
  query LatestJob($assetId: ID!) {
    jobs(first: 1, filter: {assetId: $assetId}) { edges { node { id } } }
  }`;

const ASSET = `query Asset($id: ID!) { asset(id: $id) { ${ASSET_CARD} } }`;

/** An asset card; while the asset is PENDING or PROCESSING it follows its job. */
function AssetCard({ asset, jobId, onChange }) {
  const [job, setJob] = useState(null);
  const active = ACTIVE.has(asset.status);
  useEffect(() => {
    if (!active) return undefined;
    let stop = () => {};
    let cancelled = false;
    (async () => {
      let id = jobId;
      if (!id) {
        const data = await gql(LATEST_JOB, { assetId: asset.id });
        id = data.jobs.edges[0]?.node.id;
      }
      if (!id || cancelled) return;
      stop = followJob(id, async (state) => {
        setJob(state);
        if (state.asset) onChange(asset.id, state.asset);
        else if (state.isFinished) {
          // The asset went with the job (a duplicate import's placeholder).
          const data = await gql(ASSET, { id: asset.id });
          onChange(asset.id, data.asset);
        }
      });
    })().catch(() => {});
    return () => {
      cancelled = true;
      stop();
    };
  }, [asset.id, active, jobId]);

  const status = asset.status;
  return html`<a
    class="card status-${status.toLowerCase()}"
    href="#/assets/${asset.id}"
    data-asset-id=${asset.id}
    data-status=${status}
  >
    <${Thumb}
      url=${asset.thumbnailUrl}
      kind=${asset.kind}
      status=${status}
      alt=${asset.name}
    />
    ${asset.durationSeconds
      ? html`<span class="duration">${duration(asset.durationSeconds)}</span>`
      : null}
    <div class="card-body">
      <div class="card-title" title=${asset.name}>${asset.name}</div>
      <div class="card-meta">
        <${StatusBadge} status=${status} />
        <span>${joined(pixels(asset.width, asset.height), bytes(asset.sizeBytes))}</span>
      </div>
      ${active && job
        ? html`<${ProgressBar} value=${job.progress} label=${job.stage} />`
        : null}
      ${asset.task
        ? html`<div class="card-version small" title=${`${asset.project} / ${asset.task}`}>
            ${asset.task} ${asset.versionLabel}
            ${asset.reviewStatus === "APPROVED" ? html`<span class="approved-mark">\u2713</span>` : null}
          </div>`
        : null}
      ${status === "FAILED"
        ? html`<div class="card-error" title=${asset.errorMessage}>
            ${asset.errorCode}
          </div>`
        : null}
    </div>
  </a>`;
}

function UploadRow({ item }) {
  return html`<li class="upload upload-${item.state}" data-upload=${item.name}>
    <span class="upload-name" title=${item.name}>${item.name}</span>
    <span class="upload-size">${bytes(item.size)}</span>
    <${ProgressBar} value=${item.progress} />
    <span class="upload-state">${item.message || item.state}</span>
  </li>`;
}

function Filters({ filter, setFilter }) {
  const [text, setText] = useState(filter.text);
  const [tag, setTag] = useState(filter.tag);
  const [project, setProject] = useState(filter.project);
  const [task, setTask] = useState(filter.task);
  useDebounced(text, 300, (value) => setFilter((f) => ({ ...f, text: value })));
  useDebounced(tag, 300, (value) => setFilter((f) => ({ ...f, tag: value })));
  useDebounced(project, 300, (value) => setFilter((f) => ({ ...f, project: value })));
  useDebounced(task, 300, (value) => setFilter((f) => ({ ...f, task: value })));
  const choose = (name) => (event) =>
    setFilter((f) => ({ ...f, [name]: event.target.value }));
  return html`<div class="filters">
    <input
      type="search"
      name="text"
      placeholder="Search name or prompt"
      value=${text}
      onInput=${(e) => setText(e.target.value)}
    />
    <select name="kind" value=${filter.kind} onChange=${choose("kind")}>
      <option value="">All kinds</option>
      <option value="VIDEO">Videos</option>
      <option value="IMAGE">Images</option>
      <option value="AUDIO">Audio</option>
    </select>
    <select name="status" value=${filter.status} onChange=${choose("status")}>
      <option value="">Any status</option>
      ${["PENDING", "PROCESSING", "READY", "FAILED"].map(
        (s) => html`<option value=${s}>${s.toLowerCase()}</option>`,
      )}
    </select>
    <input
      type="text"
      name="tag"
      placeholder="Tag"
      value=${tag}
      onInput=${(e) => setTag(e.target.value)}
    />
    <input
      type="text"
      name="project"
      placeholder="Project"
      value=${project}
      onInput=${(e) => setProject(e.target.value)}
    />
    <input
      type="text"
      name="task"
      placeholder="Task"
      value=${task}
      onInput=${(e) => setTask(e.target.value)}
    />
  </div>`;
}

function ImportForm({ onStarted }) {
  const [url, setUrl] = useState("");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const data = await gql(IMPORT, { input: { url: url.trim() } });
      const result = success(data.importAsset);
      onStarted(result.asset, result.job.id);
      setUrl("");
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="import" onSubmit=${submit}>
    <input
      type="url"
      name="url"
      placeholder="https://... import a file from a URL"
      required
      value=${url}
      onInput=${(e) => setUrl(e.target.value)}
    />
    <button type="submit" class="primary" disabled=${busy}>Import</button>
    <${ErrorBox} error=${error} />
  </form>`;
}

/** The filter as AssetFilter: empty choices left out. */
function toInput(filter) {
  const input = {};
  for (const [name, value] of Object.entries(filter)) {
    if (value && value.trim()) input[name] = value.trim();
  }
  return input;
}

export function LibraryPage() {
  // Filters live in the URL too, so a filtered view can be shared or reloaded.
  const [filter, setFilter] = useState(() => {
    const query = hashQuery();
    const value = (name) => query.get(name) || "";
    const names = ["text", "kind", "status", "tag", "project", "task"];
    return Object.fromEntries(names.map((name) => [name, value(name)]));
  });
  const key = JSON.stringify(filter);
  useEffect(() => setHashQuery(filter), [key]);
  const [jobs, setJobs] = useState({}); // asset id -> job id, for new cards
  const [uploads, setUploads] = useState([]);
  const [dragging, setDragging] = useState(false);
  const [notice, setNotice] = useState("");
  const picker = useRef(null); // the hidden file input behind "Upload files"
  const fetchPage = useCallback(
    async (after) =>
      (await gql(ASSETS, { first: PAGE_SIZE, after, filter: toInput(filter) })).assets,
    [key],
  );
  const list = usePaged(fetchPage, key);

  const onChange = useCallback((id, asset) => {
    list.update((items) => {
      if (!asset) return items.filter((a) => a.id !== id);
      if (asset.id === id) return items.map((a) => (a.id === id ? asset : a));
      // A duplicate import: the placeholder gives way to the asset we had, which
      // takes its place unless it is in the list already.
      if (items.some((a) => a.id === asset.id)) return items.filter((a) => a.id !== id);
      return items.map((a) => (a.id === id ? asset : a));
    });
  }, []);

  const addCard = (asset, jobId) => {
    if (jobId) setJobs((j) => ({ ...j, [asset.id]: jobId }));
    list.update((items) => [asset, ...items.filter((a) => a.id !== asset.id)]);
  };

  const setUpload = (id, change) =>
    setUploads((all) => all.map((u) => (u.id === id ? { ...u, ...change } : u)));

  const sendOne = async (item) => {
    setUpload(item.id, { state: "uploading" });
    try {
      const data = await upload(UPLOAD, {}, "file", item.file, (progress) =>
        setUpload(item.id, { progress }),
      );
      const result = success(data.uploadAsset);
      addCard(result.asset, result.job?.id);
      setUpload(item.id, {
        progress: 1,
        state: "done",
        message: result.isDuplicate ? "already in the library" : "uploaded",
      });
    } catch (failure) {
      setUpload(item.id, { state: "failed", message: failure.message });
    }
  };

  const addFiles = (fileList) => {
    const items = [...fileList].map((file, n) => ({
      id: `${Date.now()}-${n}-${file.name}`,
      name: file.name,
      size: file.size,
      file,
      progress: 0,
      state: "waiting",
      message: "",
    }));
    if (!items.length) return;
    setUploads((all) => [...items, ...all].slice(0, 50));
    // A few at a time, so one big file does not hold up the rest.
    const queue = [...items];
    const worker = async () => {
      while (queue.length) await sendOne(queue.shift());
    };
    for (let n = 0; n < PARALLEL_UPLOADS; n += 1) worker();
  };

  const onDrop = (event) => {
    event.preventDefault();
    setDragging(false);
    addFiles(event.dataTransfer?.files || []);
  };
  const onDragOver = (event) => {
    event.preventDefault();
    if (!dragging) setDragging(true);
  };

  return html`<section
    class="library drop-zone ${dragging ? "dragging" : ""}"
    onDragOver=${onDragOver}
    onDragLeave=${(e) => e.currentTarget === e.target && setDragging(false)}
    onDrop=${onDrop}
  >
    <div class="page-head">
      <h1>Library</h1>
      <span class="count">${list.total === null ? "" : count(list.total, "asset")}</span>
      <span class="spacer"></span>
      <button class="primary" onClick=${() => picker.current.click()}>Upload files</button>
      <input
        ref=${picker}
        type="file"
        name="files"
        multiple
        hidden
        onChange=${(e) => {
          addFiles(e.target.files);
          e.target.value = "";
        }}
      />
    </div>
    <p class="hint">Drop files anywhere on this page to upload them.</p>
    <${ImportForm}
      onStarted=${(asset, jobId) => {
        addCard(asset, jobId);
        setNotice(`Importing ${asset.name}`);
      }}
    />
    ${notice ? html`<p class="notice">${notice}</p>` : null}
    ${uploads.length
      ? html`<ul class="uploads">
          ${uploads.map((item) => html`<${UploadRow} key=${item.id} item=${item} />`)}
        </ul>`
      : null}
    <${Filters} filter=${filter} setFilter=${setFilter} />
    <${ErrorBox} error=${list.error} />
    <div class="grid">
      ${list.items.map(
        (asset) =>
          html`<${AssetCard}
            key=${asset.id}
            asset=${asset}
            jobId=${jobs[asset.id]}
            onChange=${onChange}
          />`,
      )}
    </div>
    ${!list.loading && !list.items.length && !list.error
      ? html`<p class="empty">No assets here yet: drop a file or import a URL.</p>`
      : null}
    <${MoreSentinel}
      hasMore=${list.pageInfo?.hasNextPage}
      loading=${list.loading}
      loadMore=${list.more}
    />
    ${dragging ? html`<div class="drop-overlay">Drop to upload</div>` : null}
  </section>`;
}
