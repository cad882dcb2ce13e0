// A member's profile: avatar, badges, counts, follow/unfollow, block, report, and their posts.

import { api, me, signedIn } from "../api.js";
import { avatar, badges, followButton, go, h, infinite, Masonry, reportDialog, showError, toast } from "../ui.js";

export async function profileView(main, userId) {
  const [profile, viewer] = await Promise.all([
    api("GET", `/users/${encodeURIComponent(userId)}`),
    signedIn() ? me().catch(() => null) : null,
  ]);
  const own = viewer && viewer.id === profile.id;
  const followers = h("strong", {}, String(profile.counts.followers));
  const follow = followButton(profile.followed_by_me, async (following) => {
    const result = await api(following ? "DELETE" : "PUT", `/users/${encodeURIComponent(profile.id)}/follow`);
    followers.textContent = String(Number(followers.textContent) + Number(result.following) - Number(following));
    return result.following;
  });
  const count = (value, label) => h("div", {}, typeof value === "object" ? value : h("strong", {}, String(value)), label);
  const actions = own
    ? [h("a.btn", { href: "#/create" }, "New post"), h("a.btn", { href: "#/settings" }, "Edit profile")]
    : [profile.blocked_by_me ? null : follow, ...(viewer ? [blockButton(profile), h("button.btn.quiet", { type: "button", onclick: () => reportDialog({ type: "member", id: profile.id }, profile.display_name) }, "Report")] : [])];
  const parts = [
    h(
      "div.profile-head",
      {},
      avatar(profile, 72),
      h(
        "div",
        {},
        h("h1", {}, profile.display_name, badges(profile.badges)),
        profile.bio ? h("p.bio", {}, profile.bio) : null,
        h(
          "div.counts",
          {},
          count(profile.counts.posts, "posts"),
          count(profile.counts.smiles_received, "smiles"),
          count(followers, "followers"),
          count(profile.counts.following, "following"),
        ),
      ),
      h("div.row", {}, actions),
    ),
    profile.blocked_by_me
      ? h("p.panel", { role: "status" }, `You blocked ${profile.display_name}: their posts and comments are hidden from you, and they cannot comment on your posts or follow you.`)
      : null,
    h("h2", {}, own ? "Your posts" : "Posts"),
  ];
  main.append(...parts.filter(Boolean)); // DOM append() would print a null
  const grid = new Masonry(main);
  const stop = infinite(
    main,
    (cursor) => api("GET", `/users/${encodeURIComponent(profile.id)}/posts?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`),
    (post) => grid.add(post, []),
    { empty: own ? "You haven't posted yet." : profile.blocked_by_me ? "Unblock them to see their posts." : "No posts yet." },
  );
  return () => {
    stop();
    grid.destroy();
  };
}

function blockButton(profile) {
  let blocked = profile.blocked_by_me;
  const button = h("button.btn.quiet", { type: "button" });
  const draw = () => {
    button.textContent = blocked ? "Unblock" : "Block";
  };
  draw();
  button.addEventListener("click", async () => {
    if (!blocked && !confirm(`Block ${profile.display_name}? Their posts and comments disappear for you, they cannot comment on your posts or follow you, and any follows between you end.`)) return;
    button.disabled = true;
    try {
      const result = await api(blocked ? "DELETE" : "PUT", `/users/${encodeURIComponent(profile.id)}/block`);
      blocked = result.blocked;
      toast(blocked ? `${profile.display_name} is blocked.` : `${profile.display_name} is unblocked.`);
      go(`/user/${encodeURIComponent(profile.id)}`);
    } catch (error) {
      showError(error);
    } finally {
      button.disabled = false;
      draw();
    }
  });
  return button;
}
