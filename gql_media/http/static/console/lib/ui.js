// Small shared pieces: status badges, progress bars, thumbnails, formatting, and
// infinite scroll on a connection's cursor.
import { html, useEffect, useRef } from "./html.js";

export function StatusBadge({ status }) {
  const value = status || "UNKNOWN";
  return html`<span class="badge status-${value.toLowerCase()}">${value}</span>`;
}

export function ProgressBar({ value, label }) {
  const fraction = Math.max(0, Math.min(1, Number(value) || 0));
  const percent = Math.round(fraction * 100);
  return html`<div
    class="bar"
    role="progressbar"
    aria-valuemin="0"
    aria-valuemax="100"
    aria-valuenow=${percent}
    title=${label || `${percent}%`}
  >
    <span style=${{ width: `${percent}%` }}></span>
  </div>`;
}

const KIND_ICON = { VIDEO: "\u25b6", IMAGE: "\u25a3", AUDIO: "\u266a" };

export function Thumb({ url, kind, status, alt }) {
  if (url) return html`<img class="thumb" src=${url} alt=${alt || ""} loading="lazy" />`;
  return html`<div class="thumb placeholder status-${(status || "").toLowerCase()}">
    <span>${KIND_ICON[kind] || "\u2026"}</span>
  </div>`;
}

export function ErrorBox({ error }) {
  if (!error) return null;
  return html`<p class="error" role="alert">
    ${error.code ? html`<code>${error.code}</code> ` : null}${error.message || String(error)}
  </p>`;
}

export function bytes(value) {
  if (value === null || value === undefined) return "";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let n = Number(value);
  let unit = 0;
  while (n >= 1000 && unit < units.length - 1) {
    n /= 1000;
    unit += 1;
  }
  return `${n.toFixed(n < 10 && unit ? 1 : 0)} ${units[unit]}`;
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return "";
  const total = Math.round(Number(seconds));
  const m = Math.floor(total / 60);
  const s = String(total % 60).padStart(2, "0");
  return `${m}:${s}`;
}

export function when(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleString(undefined, {
    dateStyle: "medium",
    timeStyle: "short",
  });
}

export function money(value) {
  if (value === null || value === undefined) return "\u2013";
  // Decimals come as strings ("1.600000"): cents, or more digits when they matter.
  const n = Number(value);
  const text = n.toLocaleString("en-US", {
    minimumFractionDigits: 2,
    maximumFractionDigits: 4,
  });
  return `$${text}`;
}

export function pixels(width, height) {
  return width && height ? `${width}\u00d7${height}` : "";
}

/** "1 asset", "3 assets". */
export function count(n, noun) {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** Dots between the given parts that are not empty. */
export function joined(...parts) {
  return parts.filter(Boolean).join(" \u00b7 ");
}

/**
 * A sentinel that calls `loadMore` when it scrolls into view, as long as
 * `hasMore` (the connection's pageInfo.hasNextPage) holds.
 */
export function MoreSentinel({ hasMore, loading, loadMore }) {
  const ref = useRef(null);
  useEffect(() => {
    if (!hasMore || loading || !ref.current) return undefined;
    const observer = new IntersectionObserver(
      (entries) => entries.some((entry) => entry.isIntersecting) && loadMore(),
      { rootMargin: "400px" },
    );
    observer.observe(ref.current);
    return () => observer.disconnect();
  }, [hasMore, loading, loadMore]);
  if (!hasMore) return null;
  return html`<div class="more" ref=${ref}>${loading ? "Loading\u2026" : ""}</div>`;
}

/** Calls `setter(value)` once `value` has stayed the same for `ms`. */
export function useDebounced(value, ms, setter) {
  useEffect(() => {
    const timer = setTimeout(() => setter(value), ms);
    return () => clearTimeout(timer);
  }, [value]);
}

/** The view's query in the URL (`#/library?kind=VIDEO`): read it, and write the
 * non-empty values back without a history entry or a new view. */
export function hashQuery() {
  return new URLSearchParams(location.hash.split("?")[1] || "");
}

export function setHashQuery(values) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (value) query.set(name, value);
  }
  const path = location.hash.split("?")[0] || "#/";
  const text = query.toString();
  history.replaceState(null, "", text ? `${path}?${text}` : path);
}
