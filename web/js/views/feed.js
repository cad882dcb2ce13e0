// The feed (personalised, or trending for visitors) and interest pages: masonry + infinite scroll.

import { api, me, signedIn, state } from "../api.js";
import { go, h, infinite, interestName, Masonry } from "../ui.js";

const PAGE = 20;

function page(path, cursor) {
  const query = new URLSearchParams({ limit: String(PAGE) });
  if (cursor) query.set("cursor", cursor);
  return api("GET", `${path}?${query}`);
}

export async function feedView(main) {
  let profile = null;
  let firstPage = null;
  if (signedIn()) {
    // Asked for alongside the profile, not after it (only a member not onboarded yet wastes it).
    firstPage = page("/feed").catch((error) => error);
    profile = await me().catch(() => null);
    if (profile && !profile.onboarded) return go("/onboarding");
  }
  if (profile) {
    main.append(h("h1", {}, `Your feed`));
  } else {
    main.append(
      h("h1", {}, "Trending on Flint"),
      h(
        "div.panel.invite",
        { role: "region", "aria-label": "Sign-in invitation" },
        h("p", {}, "Sign in to smile at posts, follow people and share what you love."),
        h("div.row", {}, h("a.btn.primary", { href: "#/signin" }, "Sign in"), h("a.btn", { href: "#/signup" }, "Join Flint")),
      ),
    );
  }
  const grid = new Masonry(main);
  let stopWatching = () => {};
  const stop = infinite(
    main,
    async (cursor) => {
      const prefetched = cursor ? null : firstPage;
      firstPage = null;
      const served = await (prefetched || page("/feed", cursor));
      if (served instanceof Error) throw served;
      if (!cursor && served.refreshing && profile) {
        stopWatching();
        stopWatching = watchFreshness(grid, served);
      }
      return served;
    },
    (item) => grid.add(item.post, item.reasons, item.featured),
    { empty: "Your feed is being prepared: new posts arrive within a minute." },
  );
  return () => {
    stop();
    stopWatching();
    grid.destroy();
  };
}

// After a first page served from a stale feed (GET /feed `refreshing`): seconds before each poll
// of GET /feed/status (one small GetItem each), then the notice goes. In AWS a refresh is done
// within seconds of the read that queued it, so the first or second poll usually finds it.
const POLLS = [2, 4, 8, 16, 30];
// How close to the top a reader must be for new cards to go straight in (nothing moves under a
// reader who scrolled: they get a "Show N new posts" button instead, as big timelines do).
const AT_TOP_PX = 120;

/**
 * "A fresher feed is on its way": poll the feed's status with backoff; once refreshed, fetch the
 * fresher first page and put its new cards on top, without a reload. Returns a stop function.
 */
function watchFreshness(grid, served) {
  const notice = h("div.freshness", { role: "status" }, h("span", {}, "A fresher feed is on its way\u2026"));
  grid.root.before(notice);
  let timer = null;
  let stopped = false;
  const end = (message) => {
    if (!message) return notice.remove();
    notice.replaceChildren(h("span", {}, message));
    timer = setTimeout(() => notice.remove(), 4000);
  };
  const label = (count) => `${count} new post${count === 1 ? "" : "s"}`;
  const arrived = async () => {
    const fresh = await page("/feed");
    const items = fresh.items.filter((item) => !grid.has(item.post.id));
    if (stopped) return;
    if (!items.length) return end("Your feed is up to date.");
    if (window.scrollY <= AT_TOP_PX) {
      grid.prepend(items);
      return end(`${label(items.length)} added at the top.`);
    }
    const show = h("button.btn.primary", { type: "button" }, `Show ${label(items.length)}`);
    show.addEventListener("click", () => {
      grid.prepend(items);
      notice.remove();
      window.scrollTo({ top: 0, behavior: "smooth" });
    });
    notice.classList.add("pill");
    notice.replaceChildren(show);
  };
  const poll = async (attempt) => {
    if (stopped) return;
    const status = await api("GET", "/feed/status").catch(() => null);
    if (stopped) return;
    if (status && !status.refreshing) {
      if (status.generated_at && status.generated_at !== served.generated_at) return arrived().catch(() => end());
      return end("Your feed is up to date.");
    }
    if (attempt + 1 >= POLLS.length) return end();
    timer = setTimeout(() => poll(attempt + 1), POLLS[attempt + 1] * 1000);
  };
  timer = setTimeout(() => poll(0), POLLS[0] * 1000);
  return () => {
    stopped = true;
    clearTimeout(timer);
    notice.remove();
  };
}

export async function interestView(main, interestId) {
  main.append(
    h("h1", {}, interestName(interestId)),
    h("p.hint", {}, "The newest posts in this interest."),
  );
  if (!state.interestNames.has(interestId)) main.append(h("p.error", {}, "There is no such interest."));
  const grid = new Masonry(main);
  const stop = infinite(
    main,
    (cursor) => page(`/interests/${encodeURIComponent(interestId)}/posts`, cursor),
    (post) => grid.add(post, []),
    { empty: "No posts in this interest yet." },
  );
  return () => {
    stop();
    grid.destroy();
  };
}
