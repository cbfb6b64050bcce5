// The public GraphQL API, and nothing else: queries and mutations over HTTP,
// uploads as GraphQL multipart requests (XMLHttpRequest, for upload progress),
// subscriptions over graphql-transport-ws. The token the user pasted is kept in
// sessionStorage and sent as `Authorization: Bearer ...` on HTTP and in the
// connection_init payload on the WebSocket; without one, requests go without it
// (a loopback server without tokens answers them as the local owner).
import { createClient } from "graphql-ws";

const TOKEN_KEY = "gql-media.token";
export const endpoint = new URL("/graphql", location.href).href;

export class ApiError extends Error {
  constructor(message, code = "ERROR", status = 0) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

// Whoever shows the token form listens here (401, 403, a refused socket).
const authListeners = new Set();
const liveListeners = new Set();
let liveState = "idle";

export function onAuthProblem(listener) {
  authListeners.add(listener);
  return () => authListeners.delete(listener);
}

function authProblem(message) {
  for (const listener of authListeners) listener(message);
}

export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY) || "";
}

export function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token.trim());
  else sessionStorage.removeItem(TOKEN_KEY);
  // The socket authenticated once, at connection_init: start a new one.
  client?.dispose();
  client = null;
}

function authorization() {
  const token = getToken();
  return token ? `Bearer ${token}` : "";
}

function headers(extra = {}) {
  const value = authorization();
  return value ? { ...extra, authorization: value } : extra;
}

const AUTH_CODES = new Set(["UNAUTHENTICATED", "FORBIDDEN"]);

function failure(body, status) {
  const first = body?.errors?.[0];
  const code = first?.extensions?.code || (status ? `HTTP_${status}` : "ERROR");
  const message = first?.message || `the server answered ${status}`;
  if (status === 401 || status === 403 || AUTH_CODES.has(code)) authProblem(message);
  return new ApiError(message, code, status);
}

function answer(body, status) {
  if (status >= 400 || !body || body.errors?.length) throw failure(body, status);
  return body.data;
}

/** Run a query or mutation; resolves to `data`, rejects with an ApiError. */
export async function gql(query, variables = {}) {
  let response;
  try {
    response = await fetch(endpoint, {
      method: "POST",
      headers: headers({
        "content-type": "application/json",
        accept: "application/graphql-response+json, application/json",
      }),
      body: JSON.stringify({ query, variables }),
    });
  } catch (error) {
    throw new ApiError(`cannot reach the server (${error.message})`, "NETWORK");
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  return answer(body, response.status);
}

/** The `...Success` member of a mutation's result union, or its error thrown. */
export function success(result) {
  if (result && result.__typename.endsWith("Success")) return result;
  throw new ApiError(result?.message || "the mutation failed", result?.code);
}

/**
 * Send a file with a mutation (GraphQL multipart request spec). `onProgress` gets
 * the fraction of the bytes sent; resolves to `data`.
 */
export function upload(query, variables, fileVariable, file, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    const operations = { query, variables: { ...variables, [fileVariable]: null } };
    form.append("operations", JSON.stringify(operations));
    form.append("map", JSON.stringify({ 0: [`variables.${fileVariable}`] }));
    form.append("0", file, file.name);
    const request = new XMLHttpRequest();
    request.open("POST", endpoint);
    // The non-simple header the server requires of uploads (CSRF).
    request.setRequestHeader("GraphQL-Require-Preflight", "1");
    const value = authorization();
    if (value) request.setRequestHeader("Authorization", value);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onload = () => {
      let body = null;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        // see gql()
      }
      try {
        resolve(answer(body, request.status));
      } catch (error) {
        reject(error);
      }
    };
    request.onerror = () =>
      reject(new ApiError("the upload was interrupted", "NETWORK"));
    request.send(form);
  });
}

let client = null;

function socket() {
  if (client) return client;
  const url = new URL(endpoint);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  client = createClient({
    url: url.href,
    lazy: true,
    // Keep the socket a moment between pages instead of reconnecting at once.
    lazyCloseTimeout: 3000,
    retryAttempts: 20,
    connectionParams: () => {
      const value = authorization();
      return value ? { authorization: value } : {};
    },
    on: {
      connecting: () => setLive("connecting"),
      connected: () => setLive("live"),
      closed: (event) => {
        setLive(event?.code === 1000 ? "idle" : "offline");
        if (event?.code === 4401 || event?.code === 4403) {
          authProblem(event.reason || "the server refused the live connection");
        }
      },
    },
  });
  return client;
}

function setLive(state) {
  liveState = state;
  for (const listener of liveListeners) listener(state);
}

/** Follow the live connection's state: idle, connecting, live or offline. */
export function onLiveState(listener) {
  liveListeners.add(listener);
  listener(liveState);
  return () => liveListeners.delete(listener);
}

/**
 * Start a subscription; `next(data)` for each event, `error(ApiError)`, then
 * `complete()`. Returns the function that stops it.
 */
export function subscribe(query, variables, { next, error, complete }) {
  return socket().subscribe(
    { query, variables },
    {
      next: (result) => {
        if (result.errors?.length) error?.(failure(result, 0));
        else next(result.data);
      },
      error: (cause) => {
        const message =
          cause instanceof Error
            ? cause.message
            : Array.isArray(cause)
              ? cause.map((e) => e.message).join("; ")
              : `the live connection closed (${cause?.code ?? "?"})`;
        error?.(new ApiError(message, "LIVE"));
      },
      complete: () => complete?.(),
    },
  );
}
