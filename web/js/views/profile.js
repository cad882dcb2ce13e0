// A member's profile: badges, counts, follow/unfollow and their posts.

import { api, me, signedIn } from "../api.js";
import { badges, go, h, infinite, initials, Masonry, showError } from "../ui.js";

export async function profileView(main, userId) {
  const [profile, viewer] = await Promise.all([
    api("GET", `/users/${encodeURIComponent(userId)}`),
    signedIn() ? me().catch(() => null) : null,
  ]);
  const own = viewer && viewer.id === profile.id;
  const followers = h("strong", {}, String(profile.counts.followers));
  let following = profile.followed_by_me;
  const follow = h("button.btn.primary", { type: "button", "aria-pressed": String(following) });
  const draw = () => {
    follow.textContent = following ? "Following" : "Follow";
    follow.setAttribute("aria-pressed", String(following));
  };
  draw();
  follow.addEventListener("click", async () => {
    if (!signedIn()) return go("/signin");
    follow.disabled = true;
    try {
      const result = await api(following ? "DELETE" : "PUT", `/users/${encodeURIComponent(profile.id)}/follow`);
      const delta = Number(result.following) - Number(following);
      following = result.following;
      followers.textContent = String(Number(followers.textContent) + delta);
    } catch (error) {
      showError(error);
    } finally {
      follow.disabled = false;
      draw();
    }
  });
  const count = (value, label) => h("div", {}, typeof value === "object" ? value : h("strong", {}, String(value)), label);
  main.append(
    h(
      "div.profile-head",
      {},
      h("div.avatar", { "aria-hidden": "true" }, initials(profile.display_name)),
      h(
        "div",
        {},
        h("h1", {}, profile.display_name, badges(profile.badges)),
        profile.bio ? h("p", {}, profile.bio) : null,
        h(
          "div.counts",
          {},
          count(profile.counts.posts, "posts"),
          count(profile.counts.smiles_received, "smiles"),
          count(followers, "followers"),
          count(profile.counts.following, "following"),
        ),
      ),
      own ? h("a.btn", { href: "#/create" }, "New post") : follow,
    ),
    h("h2", {}, own ? "Your posts" : "Posts"),
  );
  const grid = new Masonry(main);
  const stop = infinite(
    main,
    (cursor) => api("GET", `/users/${encodeURIComponent(profile.id)}/posts?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`),
    (post) => grid.add(post, []),
    { empty: own ? "You haven't posted yet." : "No posts yet." },
  );
  return () => {
    stop();
    grid.destroy();
  };
}
