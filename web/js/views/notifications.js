// The activity inbox (#/notifications): new followers, smiles and comments on your posts, newest
// first; unread ones stand out until this page has been seen (then they are marked read).

import { api, forgetUnread, signedIn } from "../api.js";
import { go, h, infinite, showError } from "../ui.js";

const WHAT = {
  follower: () => " started following you",
  smile: (n) => [" smiled at ", postLink(n)],
  comment: (n) => [" commented on ", postLink(n)],
  tag_suggestion: (n) => [" suggests tagging their product on ", postLink(n)],
};

const ACTION_LABELS = { accept: "Accept", decline: "Decline" };

/** The buttons an actionable notification carries (`actions`: [{name, method, path}]), whatever its kind. */
function actions(n) {
  if (!n.actions || !n.actions.length) return null;
  const box = h("span.actions");
  for (const action of n.actions) {
    const button = h(`button${action.name === "accept" ? "" : ".secondary"}`, { type: "button" }, ACTION_LABELS[action.name] || action.name);
    button.addEventListener("click", async () => {
      box.querySelectorAll("button").forEach((b) => (b.disabled = true));
      try {
        await api(action.method, action.path);
        box.replaceChildren(h("span.hint", {}, action.name === "accept" ? "Accepted" : action.name === "decline" ? "Declined" : "Done"));
      } catch (error) {
        if (error.status === 409) box.replaceChildren(h("span.hint", {}, "Already answered"));
        else {
          box.querySelectorAll("button").forEach((b) => (b.disabled = false));
          showError(error);
        }
      }
    });
    box.append(button);
  }
  return box;
}

const postLink = (n) => h("a", { href: `#/post/${encodeURIComponent(n.post_id)}` }, "your post");

export async function notificationsView(main) {
  if (!signedIn()) return go("/signin");
  const list = h("ul.notifications", { "aria-label": "Notifications" });
  main.append(h("h1", {}, "Notifications"), list);
  let marked = false;
  return infinite(
    main,
    async (cursor) => {
      const page = await api("GET", `/me/notifications?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      if (!marked && page.unread) {
        marked = true; // seen now: the next visit shows them as read, and the bell clears
        api("POST", "/me/notifications/read")
          .then(() => {
            forgetUnread();
            document.querySelector("#nav .unread")?.remove();
          })
          .catch(() => {});
      }
      return page;
    },
    (n) => list.append(item(n)),
    { empty: "Nothing yet: new followers, smiles and comments on your posts show up here." },
  );
}

function item(n) {
  return h(
    `li.notification${n.unread ? ".unread" : ""}`,
    {},
    n.unread ? h("span.sr-only", {}, "New: ") : null,
    h("a.author", { href: `#/user/${encodeURIComponent(n.actor.id)}` }, n.actor.display_name),
    (WHAT[n.type] || (() => ""))(n),
    " ",
    h("time.hint", { datetime: n.created_at }, new Date(n.created_at).toLocaleString()),
    actions(n),
  );
}
