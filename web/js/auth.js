// Sign-in: the OAuth 2.0 authorization code grant with PKCE (S256) against the
// configured authorization server (Cognito's managed login when deployed, local-api's
// stand-in locally), so the password only ever reaches the sign-in page. Tokens
// live in sessionStorage (this tab only), never localStorage.

import { config } from "./config.js";

const TOKENS = "dragons.tokens";
const PENDING = "dragons.signin";
/** A token this close to its expiry is refreshed before use. */
const EXPIRY_MARGIN_MS = 30_000;

/** Thrown when the user has to sign in (again). */
export class SignInRequired extends Error {
  constructor() {
    super("Sign in to continue.");
    this.name = "SignInRequired";
  }
}

function base64url(bytes) {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function randomText(size) {
  return base64url(crypto.getRandomValues(new Uint8Array(size)));
}

async function challengeOf(verifier) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** The claims of a JWT (not verified: the API verifies; this only reads `exp`). */
export function claims(token) {
  try {
    const part = token.split(".")[1].replaceAll("-", "+").replaceAll("_", "/");
    const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return {};
  }
}

function stored() {
  try {
    return JSON.parse(sessionStorage.getItem(TOKENS) ?? "null");
  } catch {
    return null;
  }
}

function store(tokens) {
  sessionStorage.setItem(TOKENS, JSON.stringify(tokens));
}

/** Whether tokens are held (they may still need a refresh). */
export function signedIn() {
  return stored() !== null;
}

/** The signed-in user's e-mail address, from the ID token. */
export function userEmail() {
  const tokens = stored();
  return tokens ? claims(tokens.idToken).email ?? "" : "";
}

async function tokenRequest(parameters) {
  const { authUrl } = await config();
  const response = await fetch(`${authUrl}/oauth2/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(parameters),
  });
  if (!response.ok) return null;
  return response.json();
}

/** Sends the browser to the sign-in page; `returnTo` is the view to come back to. */
export async function signIn(returnTo = location.hash) {
  const { authUrl, clientId, redirectUri } = await config();
  const verifier = randomText(32);
  const state = randomText(16);
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, returnTo }));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: "openid email",
    state,
    code_challenge: await challengeOf(verifier),
    code_challenge_method: "S256",
  });
  location.assign(`${authUrl}/oauth2/authorize?${query}`);
}

/**
 * Finishes a sign-in the authorization server redirected back from (a `code` and
 * `state` in the URL): the code and its verifier are exchanged for tokens. Returns
 * the view to show, or null when the URL holds no answer; throws with a message the
 * user can read when the sign-in failed.
 */
export async function completeSignIn() {
  const url = new URL(location.href);
  const code = url.searchParams.get("code");
  const error = url.searchParams.get("error");
  if (!code && !error) return null;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? "null");
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, "", `${url.pathname}${pending?.returnTo ?? ""}`);
  if (error) throw new Error(`Sign-in failed: ${error}.`);
  if (!pending || url.searchParams.get("state") !== pending.state) {
    throw new Error("Sign-in failed: the answer does not match this tab's sign-in. Try again.");
  }
  const { clientId, redirectUri } = await config();
  const answer = await tokenRequest({
    grant_type: "authorization_code",
    client_id: clientId,
    code,
    redirect_uri: redirectUri,
    code_verifier: pending.verifier,
  });
  if (!answer?.id_token) throw new Error("Sign-in failed: the code was refused. Try again.");
  store({ idToken: answer.id_token, refreshToken: answer.refresh_token ?? null });
  return pending.returnTo || "#/dragons";
}

/** Trades the refresh token for a new ID token; false when there is none or it is refused. */
export async function refresh() {
  const tokens = stored();
  if (!tokens?.refreshToken) return false;
  const { clientId } = await config();
  const answer = await tokenRequest({
    grant_type: "refresh_token",
    client_id: clientId,
    refresh_token: tokens.refreshToken,
  });
  if (!answer?.id_token) {
    sessionStorage.removeItem(TOKENS);
    return false;
  }
  store({ idToken: answer.id_token, refreshToken: answer.refresh_token ?? tokens.refreshToken });
  return true;
}

/** A current ID token, refreshed first when it is (about to be) expired. */
export async function idToken() {
  let tokens = stored();
  if (!tokens) throw new SignInRequired();
  const expiry = (claims(tokens.idToken).exp ?? 0) * 1000;
  if (expiry - EXPIRY_MARGIN_MS <= Date.now()) {
    if (!(await refresh())) throw new SignInRequired();
    tokens = stored();
  }
  return tokens.idToken;
}

/** Forgets the tokens and ends the authorization server's session. */
export async function signOut() {
  const { authUrl, clientId, redirectUri } = await config();
  sessionStorage.removeItem(TOKENS);
  const query = new URLSearchParams({ client_id: clientId, logout_uri: redirectUri });
  location.assign(`${authUrl}/logout?${query}`);
}
