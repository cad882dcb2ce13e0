// The activity inbox (#/notifications): new followers, smiles and comments on your posts, and
// brands' invitations, newest first; unread ones stand out until this page has been seen (then
// they are marked read). An actionable notification carries `actions` (e.g. accept, decline): each
// is a button that sends its method and path; the notification then shows the answer.

import { api, forgetUnread, signedIn } from "../api.js";
import { go, h, infinite, showError } from "../ui.js";

const WHAT = {
  follower: () => " started following you",
  smile: (n) => [" smiled at ", postLink(n)],
  comment: (n) => [" commented on ", postLink(n)],
  invitation: () => " invites you to join its community",
};
const LABELS = { accept: "Accept", decline: "Decline" };
const DONE = { accept: "Accepted: you follow this brand now.", decline: "Declined." };

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

function who(n) {
  if (n.actor) return h("a.author", { href: `#/user/${encodeURIComponent(n.actor.id)}` }, n.actor.display_name);
  if (n.brand) return h("a.author", { href: `#/brands/${encodeURIComponent(n.brand.id)}` }, n.brand.name);
  return "Someone";
}

/** Generic buttons for a notification's actions: each sends its request, then says what happened. */
function actions(n) {
  if (!n.actions || !n.actions.length) return null;
  const box = h("span.actions");
  for (const action of n.actions) {
    box.append(
      h(
        `button.btn.small${action.name === "accept" ? ".primary" : ""}`,
        {
          type: "button",
          onclick: async () => {
            box.querySelectorAll("button").forEach((b) => (b.disabled = true));
            try {
              await api(action.method, action.path);
              box.replaceChildren(h("span.hint", { role: "status" }, DONE[action.name] || "Done."));
            } catch (error) {
              box.querySelectorAll("button").forEach((b) => (b.disabled = false));
              showError(error);
            }
          },
        },
        LABELS[action.name] || action.name,
      ),
    );
  }
  return box;
}

function item(n) {
  return h(
    `li.notification${n.unread ? ".unread" : ""}`,
    { dataset: { type: n.type } },
    n.unread ? h("span.sr-only", {}, "New: ") : null,
    who(n),
    (WHAT[n.type] || (() => ""))(n),
    " ",
    h("time.hint", { datetime: n.created_at }, new Date(n.created_at).toLocaleString()),
    " ",
    actions(n),
  );
}
