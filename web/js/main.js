// The single-page app: hash routes -> views. Each view renders into <main> and may return a
// cleanup function run when the route changes.

import { ensureAnonymousSession, isBrand, isModerator, loadConfig, me, rememberReturnPath, signedIn, signOut, state, unreadCount } from "./api.js";
import { flush, resetImpressions } from "./events.js";
import { errorBox, go, h } from "./ui.js";
import { feedView, interestView } from "./views/feed.js";

// The feed, where most visits land, comes with the page; every other view is fetched the first
// time it is opened, so the feed's first paint waits for 5 modules instead of 18 (index.html preloads
// them: tests/unit/test_web_modules.py).
const later = (load, name, ...extra) => async (main, ...args) => (await load())[name](main, ...extra, ...args);
const routes = [
  [/^\/$/, feedView],
  [/^\/signin$/, later(() => import("./views/auth.js"), "authView", "signin")],
  [/^\/signup$/, later(() => import("./views/auth.js"), "authView", "signup")],
  [/^\/onboarding$/, later(() => import("./views/onboarding.js"), "onboardingView")],
  [/^\/post\/([^/]+)$/, later(() => import("./views/post.js"), "postView")],
  [/^\/product\/([^/]+)$/, later(() => import("./views/product.js"), "productView")],
  [/^\/user\/([^/]+)$/, later(() => import("./views/profile.js"), "profileView")],
  [/^\/interest\/([^/]+)$/, interestView],
  [/^\/create$/, later(() => import("./views/create.js"), "createView")],
  [/^\/brand$/, later(() => import("./views/brand.js"), "brandView")],
  [/^\/brands\/([^/]+)$/, later(() => import("./views/brandpage.js"), "brandPageView")],
  [/^\/search(?:\?(.*))?$/, later(() => import("./views/search.js"), "searchView")],
  [/^\/settings$/, later(() => import("./views/settings.js"), "settingsView")],
  [/^\/moderation$/, later(() => import("./views/moderation.js"), "moderationView")],
  [/^\/notifications$/, later(() => import("./views/notifications.js"), "notificationsView")],
];

let cleanup = null;
let previous = null;
let navTurn = 0; // the latest renderNav: an older one still waiting on me() draws nothing
const AUTH_PAGES = /^\/(signin|signup)$/;

function navLink(href, label) {
  const current = (location.hash || "#/") === href;
  return h("a", { href, "aria-current": current ? "page" : null }, label);
}

async function renderNav() {
  const turn = ++navTurn;
  const nav = document.getElementById("nav");
  const links = [navLink("#/", "Feed")];
  if (signedIn()) {
    const profile = await me().catch(() => null);
    if (turn !== navTurn) return; // signed out or moved on meanwhile: a newer nav is drawn
    links.push(navLink("#/create", "Post"));
    if (isBrand()) links.push(navLink("#/brand", "Brand dashboard"));
    if (isModerator()) links.push(navLink("#/moderation", "Moderation"));
    links.push(bell());
    if (profile) links.push(navLink(`#/user/${encodeURIComponent(profile.id)}`, "Profile"));
    links.push(
      h(
        "button",
        {
          type: "button",
          onclick: () => {
            signOut();
            go("/");
          },
        },
        "Sign out",
      ),
    );
  } else {
    links.push(navLink("#/signin", "Sign in"), navLink("#/signup", "Sign up"));
  }
  nav.replaceChildren(...links);
}

/** The inbox link, with the unread count once known. */
function bell() {
  const link = navLink("#/notifications", "Notifications");
  if (location.hash === "#/notifications") return link; // that page marks them read
  unreadCount().then((unread) => {
    if (unread) link.append(" ", h("span.unread", {}, h("span.sr-only", {}, "unread: "), unread >= 100 ? "99+" : String(unread)));
  });
  return link;
}

async function route() {
  if (cleanup) cleanup();
  cleanup = null;
  flush();
  resetImpressions();
  const path = decodeURI((location.hash || "#/").slice(1)) || "/";
  // Sign-in (or sign-up) started from another page: that page is where it returns to.
  if (AUTH_PAGES.test(path) && previous !== null && !AUTH_PAGES.test(previous)) rememberReturnPath(previous);
  previous = path;
  // A fresh <main> per route: a view still loading for the page left behind keeps drawing into the
  // old one, now detached, never over this page.
  const main = document.getElementById("main").cloneNode(false);
  document.getElementById("main").replaceWith(main);
  main.append(h("p.loading", {}, "Loading…"));
  renderNav();
  for (const [pattern, view] of routes) {
    const match = path.match(pattern);
    if (!match) continue;
    let done = null;
    try {
      main.replaceChildren();
      done = (await view(main, ...match.slice(1).map(decodeURIComponent))) || null;
    } catch (error) {
      main.replaceChildren(errorBox(error));
    }
    if (!main.isConnected) {
      if (done) done(); // left before it was drawn
      return;
    }
    cleanup = done;
    document.title = `${(main.querySelector("h1") || {}).textContent || "Feed"} · Flint`;
    if (document.activeElement === document.body || !main.contains(document.activeElement)) {
      main.focus({ preventScroll: true });
    }
    window.scrollTo(0, 0);
    return;
  }
  main.replaceChildren(h("h1", {}, "Not found"), h("p", {}, "There is no such page. ", h("a", { href: "#/" }, "Go to the feed")));
}

// Only under `make dev` (config.js says localHelpers): until the demo data is in and the demo
// feeds are computed, say so instead of showing an empty feed; then carry on by itself.
async function demoDataReady() {
  if (!state.localHelpers) return;
  for (;;) {
    let status;
    try {
      const response = await fetch("local/ready", { cache: "no-store" });
      if (!response.ok) return;
      status = await response.json();
    } catch {
      return;
    }
    if (status.ready) return;
    const progress = status.total ? ` (${status.done}/${status.total})` : "";
    document.getElementById("main").replaceChildren(
      h("h1", {}, "Preparing demo data…"),
      h("p.hint", {}, `make dev is at: ${status.step}${progress}. This page continues by itself when it is ready.`),
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function start() {
  await demoDataReady();
  // The anonymous session needs no configuration: asked for alongside it, not after.
  const session = ensureAnonymousSession();
  try {
    await loadConfig();
  } catch (error) {
    document.getElementById("main").replaceChildren(
      h("h1", {}, "Flint is unreachable"),
      errorBox(error),
      h("p.hint", {}, `The web client talks to the API at ${state.api}.`),
    );
    return;
  }
  await session;
  const box = document.getElementById("search-box");
  box.addEventListener("submit", (event) => {
    event.preventDefault();
    const q = box.querySelector("input").value.trim();
    if (q) go(`/search?${new URLSearchParams({ q })}`);
  });
  // The skip link moves focus to the page's content: its "#main" is not a route.
  document.querySelector(".skip-link").addEventListener("click", (event) => {
    event.preventDefault();
    document.getElementById("main").focus();
  });
  addEventListener("hashchange", route);
  route();
}

start();
