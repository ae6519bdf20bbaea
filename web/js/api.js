// Calls to the dragons API: the ID token in `Authorization` (as the API's Cognito
// authorizer expects), a 401 answered by one refresh and retry, a 503 retried once
// after its `Retry-After`, and every failure as an ApiError the views can show.
// A route's URL is the API's URL (`apiUrl`: the stage's, `<origin>/v1`) then the
// route's path; a `Location` or `Link` target is resolved against the URL of the
// answer that carried it, as a browser resolves a link (the API writes them as paths
// with the stage, so joining them onto `apiUrl` would name the stage twice).

import { config } from "./config.js";
import { idToken, refresh, SignInRequired } from "./auth.js";

/** The longest wait a `Retry-After` is followed for. */
const MAX_RETRY_AFTER_MS = 10_000;

/** A failed call: `status` 0 for a network failure. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The wait a `Retry-After` header asks for (seconds or an HTTP date), bounded. */
export function retryAfterMs(value) {
  if (!value) return 1000;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Math.min(Math.max(Number.isFinite(ms) ? ms : 1000, 0), MAX_RETRY_AFTER_MS);
}

async function messageOf(response) {
  try {
    const body = await response.json();
    if (typeof body?.message === "string") return body.message;
  } catch {
    // Not JSON: the status says it.
  }
  return `HTTP ${response.status}`;
}

async function send(url, init) {
  const headers = { ...init.headers, Authorization: await idToken() };
  try {
    return await fetch(url, { ...init, headers });
  } catch {
    throw new ApiError(0, "The API could not be reached. Check the connection and try again.");
  }
}

/** The URL of the API's route `path` (`/dragons`), below the stage. */
export async function routeUrl(path) {
  const { apiUrl } = await config();
  return `${apiUrl}${path}`;
}

/** `target` (a `Location` or `Link` target) resolved against the URL `base` it came from. */
export function resolve(target, base) {
  return new URL(target, base).href;
}

/**
 * `url` with `init`; the answer when it is a 2xx, otherwise an ApiError (or
 * SignInRequired when no token is accepted any more).
 */
export async function call(url, init = {}) {
  let response = await send(url, init);
  if (response.status === 401) {
    if (!(await refresh())) throw new SignInRequired();
    response = await send(url, init);
    if (response.status === 401) throw new SignInRequired();
  }
  if (response.status === 503) {
    await sleep(retryAfterMs(response.headers.get("Retry-After")));
    response = await send(url, init);
  }
  if (!response.ok) {
    throw new ApiError(response.status, await messageOf(response));
  }
  return response;
}

/**
 * The URL of the `rel="next"` target of the `Link` header of an answer from `base`,
 * resolved against `base`; null when there is none, or it is not http(s).
 */
export function nextUrl(link, base) {
  if (!link) return null;
  for (const part of link.split(",")) {
    const match = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (match && /(^|;)\s*rel="?next"?\s*(;|$)/.test(match[2])) {
      const url = new URL(match[1], base);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    }
  }
  return null;
}
