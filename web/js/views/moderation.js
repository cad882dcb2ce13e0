// The moderation queue (the `moderator` group): open cases oldest first, each with what it is
// about, and the actions that apply (hide/restore, ban/unban, approve/reject a held photo,
// dismiss). Every action is recorded in the audit trail, shown below the queue.

import { api, isModerator, signedIn } from "../api.js";
import { avatar, badges, card, errorBox, go, h, infinite, showError, smallest, toast } from "../ui.js";

const REASON_NAMES = {
  spam: "spam",
  harassment: "harassment",
  hate: "hate",
  nudity: "nudity",
  violence: "violence",
  self_harm: "self-harm",
  misinformation: "false information",
  intellectual_property: "someone else's work",
  other: "other",
  explicit_nudity: "screening: nudity",
  explicit: "screening: explicit",
  visually_disturbing: "screening: disturbing",
  hate_symbols: "screening: hate symbols",
  screening_unavailable: "screening unavailable",
};

const ACTIONS = {
  post: [["hide", "Hide post"], ["restore", "Restore"], ["dismiss", "Dismiss"]],
  comment: [["hide", "Hide comment"], ["restore", "Restore"], ["dismiss", "Dismiss"]],
  member: [["ban", "Ban member"], ["unban", "Unban"], ["dismiss", "Dismiss"]],
  upload: [["approve", "Approve photo"], ["reject", "Reject photo"]],
};
// Which action makes sense in which state (the others are offered only when they change something).
const USEFUL = {
  hide: (state) => state === "live",
  restore: (state) => state === "hidden",
  ban: (state) => state === "active",
  unban: (state) => state === "banned",
  approve: (state) => state === "held",
  reject: (state) => state === "held",
  dismiss: () => true,
};

export async function moderationView(main) {
  if (!signedIn()) return go("/signin");
  main.append(h("h1", {}, "Moderation"));
  if (!isModerator()) {
    main.append(h("p", {}, "The moderation queue is for moderators."));
    return;
  }
  main.append(h("p.hint", {}, "Open reports and photos held by screening, oldest first. Every action is recorded in the audit trail."));
  const queue = h("ul.cases", { "aria-label": "Open cases" });
  const more = h("div");
  main.append(h("section", { "aria-labelledby": "queue-title" }, h("h2", { id: "queue-title" }, "Queue"), queue, more));
  const stop = infinite(
    more,
    (cursor) => api("GET", `/moderation/queue?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`),
    (item) => queue.append(caseItem(item)),
    { empty: "Nothing to review. Thank you!" },
  );
  const trail = h("section", { "aria-labelledby": "audit-title" }, h("h2", { id: "audit-title" }, "Audit trail"));
  main.append(trail);
  trail.append(await auditTable());
  return stop;
}

function targetTitle(item) {
  const { type } = item.target;
  if (type === "post") return item.post ? `Post: \u201c${item.post.caption}\u201d` : "A post (deleted)";
  if (type === "comment") return "A comment";
  if (type === "member") return `Member: ${item.author ? item.author.display_name : item.target.id}`;
  return "A photo held by screening";
}

function preview(item) {
  if (item.post) return h("div.case-post", {}, card(item.post, []));
  if (item.comment) return h("blockquote.case-comment", {}, item.comment.text);
  if (item.upload) {
    const thumb = smallest(item.upload.thumbnails, 320);
    return thumb
      ? h("img.case-photo", { src: thumb.url, alt: "The held photo (for review)", width: thumb.width, height: thumb.height, loading: "lazy" })
      : h("p.hint", {}, "No preview.");
  }
  return null;
}

function caseItem(item) {
  const li = h("li.case.panel", { dataset: { targetType: item.target.type, targetId: item.target.id } });
  const state = h("span.badge.state", {}, item.state);
  const buttons = (ACTIONS[item.target.type] || []).filter(([action]) => USEFUL[action](item.state));
  const reasons = item.reasons.map((r) => REASON_NAMES[r] || r).join(", ");
  const parts = [
    h("h3", {}, targetTitle(item), " ", state),
    h(
      "p.hint",
      {},
      item.source === "screening" ? "Held by screening" : `${item.reports} ${item.reports === 1 ? "report" : "reports"}`,
      reasons ? ` · ${reasons}` : "",
      item.opened_at ? ` · since ${new Date(item.opened_at).toLocaleString()}` : "",
    ),
    item.last_note ? h("p.note", {}, `\u201c${item.last_note}\u201d`) : null,
    item.author
      ? h("p.row", {}, avatar(item.author, 28), h("a.author", { href: `#/user/${encodeURIComponent(item.author.id)}` }, item.author.display_name), badges(item.author.badges))
      : null,
    preview(item),
    h(
      "div.row",
      {},
      buttons.map(([action, label]) =>
        h(
          `button.btn${action === "dismiss" || action === "restore" || action === "unban" || action === "approve" ? "" : ".danger"}`,
          {
            type: "button",
            onclick: async (event) => {
              const button = event.currentTarget;
              button.disabled = true;
              try {
                const result = await api("POST", "/moderation/actions", { action, target: item.target });
                toast(result.changed ? `Done: ${label.toLowerCase()}.` : "Nothing to change.");
                li.replaceChildren(h("p", {}, `${targetTitle(item)}: ${action} (now ${result.state}).`));
                li.classList.add("done");
              } catch (error) {
                showError(error);
                button.disabled = false;
              }
            },
          },
          label,
        ),
      ),
    ),
  ];
  li.append(...parts.filter(Boolean)); // DOM append() would print a null
  return li;
}

async function auditTable() {
  try {
    const page = await api("GET", "/moderation/audit?limit=20");
    if (!page.items.length) return h("p.hint", {}, "No actions yet.");
    return h(
      "table",
      {},
      h("caption.sr-only", {}, "Latest moderation actions"),
      h("thead", {}, h("tr", {}, ["When", "Action", "Target", "Moderator"].map((label) => h("th", { scope: "col" }, label)))),
      h(
        "tbody",
        {},
        page.items.map((entry) =>
          h(
            "tr",
            {},
            h("td", {}, new Date(entry.created_at).toLocaleString()),
            h("td", {}, entry.action),
            h("td", {}, `${entry.target.type} ${entry.target.id}`),
            h("td", {}, entry.moderator_id.slice(0, 8)),
          ),
        ),
      ),
    );
  } catch (error) {
    return errorBox(error);
  }
}
