// Talking to Flint: the API (GET /config first), Cognito's JSON API, and the session.
//
// The session (ID and refresh tokens) lives in sessionStorage: it survives a reload but not the
// tab, is not shared with other tabs and is not kept on disk after the browser closes; the site's
// strict CSP (script-src 'self') is what keeps other scripts from reading it (docs/privacy.md). Before
// every API call an ID token that expires within a minute is refreshed with REFRESH_TOKEN_AUTH;
// if the API still answers 401 `invalid_token`, the client refreshes once and retries.
// Sign-in uses SRP against AWS (srp.js) and USER_PASSWORD_AUTH on the local stack (signInFlow).

const SESSION_KEY = "flint.session";
// An anonymous visitor's session (POST /sessions): the posts the API shows it carry receipts
// bound to it, so its impressions and clicks can count. Sent as X-Flint-Session while signed out.
const ANONYMOUS_KEY = "flint.anonymous";

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.details = details || [];
  }
}

function apiBase() {
  const fromQuery = new URLSearchParams(location.search).get("api");
  const configured = (window.FLINT_CONFIG || {}).api;
  const base = fromQuery || configured || `${location.protocol}//${location.hostname}:8000`;
  return base.replace(/\/$/, "");
}

export const state = {
  api: apiBase(),
  localHelpers: Boolean((window.FLINT_CONFIG || {}).localHelpers),
  config: null,
  interests: [],
  interestNames: new Map(),
  session: loadSession(),
  me: null,
  followedBrands: null,
};

function loadSession() {
  try {
    return JSON.parse(sessionStorage.getItem(SESSION_KEY)) || null;
  } catch {
    return null;
  }
}

function saveSession(session) {
  if ((session && session.email) !== (state.session && state.session.email)) forgetMember();
  state.session = session;
  if (session) sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(SESSION_KEY);
}

export function tokenClaims(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(decodeURIComponent(escape(atob(part))));
  } catch {
    return {};
  }
}

export function groups() {
  if (!state.session) return [];
  return tokenClaims(state.session.idToken)["cognito:groups"] || [];
}

export const signedIn = () => Boolean(state.session);
export const isPrime = () => groups().includes("prime");
export const isBrand = () => groups().includes("brand");
export const isModerator = () => groups().includes("moderator");

// ---- Where sign-in was asked for: the page to return to afterwards ----

const RETURN_KEY = "flint.returnTo";

/** Remember where to come back to after signing in (not the sign-in pages themselves). */
export function rememberReturnPath(path) {
  if (path && !/^\/(signin|signup|onboarding)$/.test(path)) sessionStorage.setItem(RETURN_KEY, path);
}

/** Go to sign in; the router remembers the page this was asked from. */
export function askToSignIn() {
  location.hash = "/signin";
}

/** The page sign-in started from (once), or the feed. */
export function takeReturnPath() {
  const path = sessionStorage.getItem(RETURN_KEY);
  sessionStorage.removeItem(RETURN_KEY);
  return path && path.startsWith("/") ? path : "/";
}

// ---- Cognito (JSON API, no SDK) ----

const COGNITO_MESSAGES = {
  NotAuthorizedException: "Wrong e-mail or password.",
  UserNotFoundException: "Wrong e-mail or password.",
  UsernameExistsException: "An account with this e-mail already exists: sign in instead.",
  InvalidPasswordException: "The password needs 8+ characters with upper and lower case letters and a digit.",
  UserNotConfirmedException: "This account is not confirmed yet.",
  CodeMismatchException: "That code is not right.",
  InvalidParameterException: "Check the e-mail address and password.",
};

async function cognito(action, body) {
  const config = state.config;
  const endpoint = config.cognito_endpoint || `https://cognito-idp.${config.region}.amazonaws.com/`;
  let response;
  try {
    response = await fetch(endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": `AWSCognitoIdentityProviderService.${action}`,
      },
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "network", "Can't reach the sign-in service. Check your connection.");
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const type = String(data.__type || "").split("#").pop();
    throw new ApiError(response.status, type, COGNITO_MESSAGES[type] || data.message || "Sign-in failed.");
  }
  return data;
}

function storeAuth(result, email, refreshToken) {
  saveSession({
    email,
    idToken: result.IdToken,
    refreshToken: result.RefreshToken || refreshToken,
  });
}

/**
 * The sign-in flow: SRP against AWS (the app client allows only USER_SRP_AUTH and refresh);
 * USER_PASSWORD_AUTH against the embedded AWS (`cognito_endpoint` set), whose USER_SRP_AUTH
 * checks no password proof and returns no tokens.
 */
export const signInFlow = (config = state.config) => (config.cognito_endpoint ? "USER_PASSWORD_AUTH" : "USER_SRP_AUTH");

export async function signIn(email, password, askCode = () => window.prompt("The 6-digit code from your authenticator app")) {
  const clientId = state.config.user_pool_client_id;
  let data;
  if (signInFlow() === "USER_SRP_AUTH") {
    // Only sign-in against AWS needs the SRP maths: not part of every page load.
    const { passwordVerifierResponses, srpStart } = await import("./srp.js");
    const start = srpStart();
    const challenge = await cognito("InitiateAuth", {
      ClientId: clientId,
      AuthFlow: "USER_SRP_AUTH",
      AuthParameters: { USERNAME: email, SRP_A: start.srpA },
    });
    if (challenge.ChallengeName !== "PASSWORD_VERIFIER") {
      throw new ApiError(0, challenge.ChallengeName, "This account needs a sign-in step the web client does not offer.");
    }
    data = await cognito("RespondToAuthChallenge", {
      ClientId: clientId,
      ChallengeName: "PASSWORD_VERIFIER",
      Session: challenge.Session,
      ChallengeResponses: await passwordVerifierResponses({
        ...start,
        poolId: state.config.user_pool_id,
        password,
        challenge: challenge.ChallengeParameters,
      }),
    });
  } else {
    data = await cognito("InitiateAuth", {
      ClientId: clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: email, PASSWORD: password },
    });
  }
  if (data.ChallengeName === "SOFTWARE_TOKEN_MFA") {
    // A member who turned on an authenticator app (TOTP) elsewhere: ask for its code.
    const code = await askCode();
    if (!code) throw new ApiError(0, "mfa_required", "Enter the code from your authenticator app.");
    data = await cognito("RespondToAuthChallenge", {
      ClientId: clientId,
      ChallengeName: "SOFTWARE_TOKEN_MFA",
      Session: data.Session,
      ChallengeResponses: {
        USERNAME: (data.ChallengeParameters || {}).USER_ID_FOR_SRP || email,
        SOFTWARE_TOKEN_MFA_CODE: String(code).trim(),
      },
    });
  }
  if (!data.AuthenticationResult) {
    throw new ApiError(0, data.ChallengeName, "This account needs a sign-in step the web client does not offer.");
  }
  storeAuth(data.AuthenticationResult, email);
  state.me = null;
}

/** Signs up; returns true when the account is confirmed and signed in, false if a code is needed. */
export async function signUp(email, password, name) {
  const attributes = [{ Name: "email", Value: email }];
  if (name) attributes.push({ Name: "name", Value: name });
  const data = await cognito("SignUp", {
    ClientId: state.config.user_pool_client_id,
    Username: email,
    Password: password,
    UserAttributes: attributes,
  });
  if (!data.UserConfirmed) {
    if (!state.localHelpers) return false;
    await localHelper("confirm", email); // the local stack confirms at once; AWS e-mails a code
  }
  await signIn(email, password);
  return true;
}

export async function confirmSignUp(email, code, password) {
  await cognito("ConfirmSignUp", {
    ClientId: state.config.user_pool_client_id,
    Username: email,
    ConfirmationCode: code,
  });
  await signIn(email, password);
}

/** The local stack's helpers on the web server (never part of the deployed site or API). */
export async function localHelper(name, email) {
  const response = await fetch(`local/${name}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email }),
  });
  if (!response.ok) throw new ApiError(response.status, "local_helper", `The local ${name} helper failed.`);
}

let refreshing = null;

export async function refreshSession() {
  if (!state.session) return;
  if (!refreshing) {
    const { refreshToken, email } = state.session;
    refreshing = cognito("InitiateAuth", {
      ClientId: state.config.user_pool_client_id,
      AuthFlow: "REFRESH_TOKEN_AUTH",
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    })
      .then((data) => storeAuth(data.AuthenticationResult, email, refreshToken))
      .catch((error) => {
        if (error.status >= 400 && error.status < 500) signOut(); // refresh token revoked or expired
        throw error;
      })
      .finally(() => {
        refreshing = null;
      });
  }
  return refreshing;
}

export function signOut() {
  saveSession(null);
  state.me = null;
}

async function freshToken() {
  if (!state.session) return null;
  const exp = tokenClaims(state.session.idToken).exp || 0;
  if (exp * 1000 - Date.now() < 60_000) await refreshSession();
  return state.session ? state.session.idToken : null;
}

// ---- The API ----

function anonymousSession() {
  try {
    const stored = JSON.parse(sessionStorage.getItem(ANONYMOUS_KEY));
    return stored && Date.parse(stored.expires_at) - Date.now() > 60_000 ? stored.session : null;
  } catch {
    return null;
  }
}

/** A signed-out visitor gets an anonymous session per tab, kept for the day it lasts. */
export async function ensureAnonymousSession() {
  if (state.session || anonymousSession()) return;
  try {
    const started = await api("POST", "/sessions", undefined, { auth: false });
    sessionStorage.setItem(ANONYMOUS_KEY, JSON.stringify(started)); // per tab, like the sign-in
  } catch {
    // No session: the visitor browses as before; its events simply do not count.
  }
}

export async function api(method, path, body, { retried = false, keepalive = false, auth = true } = {}) {
  const headers = {};
  const token = auth ? await freshToken() : null;
  if (token) headers.Authorization = `Bearer ${token}`;
  const anonymous = token ? null : anonymousSession();
  if (anonymous && auth) headers["X-Flint-Session"] = anonymous;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(`${state.api}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      keepalive,
    });
  } catch {
    throw new ApiError(0, "network", "Can't reach Flint right now. Check your connection and try again.");
  }
  if (response.status === 401 && token && !retried) {
    await refreshSession().catch(() => {});
    if (state.session) return api(method, path, body, { retried: true, keepalive });
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (data && data.error) || {};
    throw new ApiError(response.status, error.code, readable(response.status, error), error.details);
  }
  return data;
}

/** Save what an authenticated GET answers (a CSV export) as a file. */
export async function download(path, filename) {
  const token = await freshToken();
  const response = await fetch(`${state.api}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (!response.ok) {
    const data = await response.json().catch(() => ({}));
    throw new ApiError(response.status, (data.error || {}).code, readable(response.status, data.error || {}));
  }
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement("a"), { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function readable(status, error) {
  if (error.code === "validation_error" && error.details && error.details.length) {
    return error.details.map((d) => `${d.field}: ${d.message}`).join("; ");
  }
  if (error.message) return error.message;
  if (status === 429) return "Too many requests: wait a moment and try again.";
  if (status >= 500) return "Something went wrong on our side. Try again.";
  return `The request failed (HTTP ${status}).`;
}

export async function loadConfig() {
  const [config, catalog] = await Promise.all([
    api("GET", "/config", undefined, { auth: false }),
    api("GET", "/interests", undefined, { auth: false }),
  ]);
  state.config = config;
  state.interests = catalog.items;
  state.interestNames = new Map(catalog.items.map((i) => [i.id, i.name]));
}

/**
 * Join Prime. On the local stack, the web server's local-only helper adds the member to the
 * `prime` group; in AWS the deployment names its purchase page (`prime_join_url`, docs/prime.md),
 * whose back end adds the member to the group. Either way the ID token is then refreshed, since
 * groups travel in the token. Returns true once the new token says Prime.
 */
export async function joinPrime() {
  if (state.localHelpers) {
    await localHelper("prime", state.session.email);
  } else if (state.config.prime_join_url) {
    const url = new URL(state.config.prime_join_url);
    url.searchParams.set("return_to", location.href);
    location.assign(url.toString());
    return false;
  } else {
    throw new ApiError(0, "prime_unavailable", "Joining Prime is not offered here yet.");
  }
  await refreshSession();
  await me(true);
  return isPrime();
}

/** Whether joining Prime can be offered by this deployment. */
export const canJoinPrime = () => state.localHelpers || Boolean(state.config && state.config.prime_join_url);

/** The names of the brands the member follows (GET /me/followed-brands), fetched once. */
export function followedBrandNames() {
  if (!state.session) return Promise.resolve(new Map());
  if (!state.followedBrands) {
    state.followedBrands = api("GET", "/me/followed-brands")
      .then((page) => new Map(page.items.map((b) => [b.id, b.name])))
      .catch(() => new Map());
  }
  return state.followedBrands;
}

/** After a follow or unfollow: the next card that needs a brand's name asks again. */
export function forgetFollowedBrands() {
  state.followedBrands = null;
}

// The inbox's unread count, asked again at most every 30 s (the nav is drawn on every page change).
const UNREAD_SECONDS = 30;
let unread = { at: -Infinity, count: Promise.resolve(0) };

export function unreadCount() {
  if (!state.session) return Promise.resolve(0);
  if (performance.now() - unread.at > UNREAD_SECONDS * 1000) {
    const count = api("GET", "/me/notifications?limit=1").then((page) => page.unread).catch(() => 0);
    unread = { at: performance.now(), count };
  }
  return unread.count;
}

/** Another member (or nobody) is signed in: what was cached for the last one goes. */
function forgetMember() {
  state.followedBrands = null;
  unread = { at: -Infinity, count: Promise.resolve(0) };
}

/** The inbox was just read: nothing is unread until the count is asked again. */
export function forgetUnread() {
  unread = { at: performance.now(), count: Promise.resolve(0) };
}

export async function me(force = false) {
  if (!state.session) return null;
  if (!state.me || force) state.me = await api("GET", "/me");
  return state.me;
}
