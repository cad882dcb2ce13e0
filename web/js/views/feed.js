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
  if (signedIn()) {
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
  const stop = infinite(
    main,
    (cursor) => page("/feed", cursor),
    (item) => grid.add(item.post, item.reasons),
    { empty: "Your feed is being prepared: new posts arrive within a minute." },
  );
  return () => {
    stop();
    grid.destroy();
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
