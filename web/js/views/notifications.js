// The activity inbox (#/notifications): new followers, smiles and comments on your posts, and
// brands' requests, newest first; unread ones stand out until this page has been seen (then they
// are marked read). A notification with `actions` (a rights request, an invitation, a tag suggestion) gets one
// button per action, generically: each POSTs its path, then the notification shows the outcome.

import { api, forgetUnread, signedIn } from "../api.js";
import { go, h, infinite, showError } from "../ui.js";

const WHAT = {
  follower: () => " started following you",
  smile: (n) => [" smiled at ", postLink(n)],
  comment: (n) => [" commented on ", postLink(n)],
  invitation: () => " invites you to join its community",
  rights_request: (n) => [" asks to feature ", postLink(n), " on its own site and channels: ", h("q.terms", {}, n.text || "")],
  tag_suggestion: (n) => [" suggests tagging their product on ", postLink(n)],
};
const ACTION_LABELS = { approve: "Approve", decline: "Decline", accept: "Accept" };
const DONE = { approve: "Approved", decline: "Declined", accept: "Accepted" };

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
    { empty: "Nothing yet: new followers, smiles and comments on your posts, and brands' requests, show up here." },
  );
}

function item(n) {
  // A brand's notification names the brand (its page), any other the member who acted.
  const actor = n.brand
    ? h("a.author", { href: `#/brands/${encodeURIComponent(n.brand.id)}` }, n.brand.name)
    : h("a.author", { href: `#/user/${encodeURIComponent(n.actor.id)}` }, n.actor.display_name);
  return h(
    `li.notification${n.unread ? ".unread" : ""}`,
    { "data-type": n.type },
    n.unread ? h("span.sr-only", {}, "New: ") : null,
    actor,
    (WHAT[n.type] || (() => ""))(n),
    " ",
    h("time.hint", { datetime: n.created_at }, new Date(n.created_at).toLocaleString()),
    n.actions && n.actions.length ? actions(n.actions) : null,
  );
}

/** One button per open action (generic: any kind may carry them); the answer replaces them. */
function actions(list) {
  const box = h("div.actions", { role: "group", "aria-label": "Answer" });
  for (const action of list) {
    box.append(
      h(
        "button.btn.small",
        {
          type: "button",
          onclick: async () => {
            box.querySelectorAll("button").forEach((b) => (b.disabled = true));
            try {
              await api(action.method || "POST", action.path);
              box.replaceChildren(h("span.status", { role: "status" }, DONE[action.name] || "Done"));
            } catch (error) {
              if (error.status === 409) {
                box.replaceChildren(h("span.status", { role: "status" }, "Already answered"));
                return;
              }
              box.querySelectorAll("button").forEach((b) => (b.disabled = false));
              showError(error);
            }
          },
        },
        ACTION_LABELS[action.name] || action.name,
      ),
    );
  }
  return box;
}
