// The single-page app: hash routes -> views. Each view renders into <main> and may return a
// cleanup function run when the route changes.

import { ensureAnonymousSession, isBrand, isModerator, loadConfig, me, rememberReturnPath, signedIn, signOut, state, unreadCount } from "./api.js";
import { flush, resetImpressions } from "./events.js";
import { errorBox, go, h } from "./ui.js";
import { authView } from "./views/auth.js";
import { brandView } from "./views/brand.js";
import { brandPageView } from "./views/brandpage.js";
import { createView } from "./views/create.js";
import { feedView, interestView } from "./views/feed.js";
import { moderationView } from "./views/moderation.js";
import { notificationsView } from "./views/notifications.js";
import { onboardingView } from "./views/onboarding.js";
import { postView } from "./views/post.js";
import { productView } from "./views/product.js";
import { profileView } from "./views/profile.js";
import { searchView } from "./views/search.js";
import { settingsView } from "./views/settings.js";

const routes = [
  [/^\/$/, feedView],
  [/^\/signin$/, (main) => authView(main, "signin")],
  [/^\/signup$/, (main) => authView(main, "signup")],
  [/^\/onboarding$/, onboardingView],
  [/^\/post\/([^/]+)$/, postView],
  [/^\/product\/([^/]+)$/, productView],
  [/^\/user\/([^/]+)$/, profileView],
  [/^\/interest\/([^/]+)$/, interestView],
  [/^\/create$/, createView],
  [/^\/brand$/, brandView],
  [/^\/brands\/([^/]+)$/, brandPageView],
  [/^\/search(?:\?(.*))?$/, searchView],
  [/^\/settings$/, settingsView],
  [/^\/moderation$/, moderationView],
  [/^\/notifications$/, notificationsView],
];

let cleanup = null;
let previous = null;
const AUTH_PAGES = /^\/(signin|signup)$/;

function navLink(href, label) {
  const current = (location.hash || "#/") === href;
  return h("a", { href, "aria-current": current ? "page" : null }, label);
}

async function renderNav() {
  const nav = document.getElementById("nav");
  const links = [navLink("#/", "Feed")];
  if (signedIn()) {
    const profile = await me().catch(() => null);
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
  const main = document.getElementById("main");
  main.replaceChildren(h("p.loading", {}, "Loading…"));
  renderNav();
  for (const [pattern, view] of routes) {
    const match = path.match(pattern);
    if (!match) continue;
    try {
      main.replaceChildren();
      cleanup = (await view(main, ...match.slice(1).map(decodeURIComponent))) || null;
    } catch (error) {
      main.replaceChildren(errorBox(error));
    }
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
  await ensureAnonymousSession();
  const box = document.getElementById("search-box");
  box.addEventListener("submit", (event) => {
    event.preventDefault();
    const q = box.querySelector("input").value.trim();
    if (q) go(`/search?${new URLSearchParams({ q })}`);
  });
  addEventListener("hashchange", route);
  route();
}

start();
