// Brand dashboard, Audiences (issue 22): build an audience by clicking filters (segments, interests,
// photo labels, followers, the Enthusiast badge, recency), see its members with their automatic
// tags, export them as CSV, and create its brand community in one click, with invited and joined
// counts that move as invitations go out and members accept; delete an audience no campaign runs on.

import { api, download } from "../api.js";
import { badges, h, interestName, showError, toast } from "../ui.js";

const SEGMENTS = [
  ["fans", "Fans"],
  ["opinion_leaders", "Opinion leaders"],
  ["potential_customers", "Potential customers"],
];
const RECENCY = [
  ["", "Any time"],
  ["7", "Last 7 days"],
  ["30", "Last 30 days"],
  ["90", "Last 90 days"],
];

const number = (value) => new Intl.NumberFormat().format(value || 0);

/** A toggle chip: aria-pressed says whether the filter is on. */
function chip(label, pressed, onChange) {
  const button = h("button.chip", { type: "button", "aria-pressed": String(pressed) }, label);
  button.addEventListener("click", () => {
    const on = button.getAttribute("aria-pressed") !== "true";
    button.setAttribute("aria-pressed", String(on));
    onChange(on);
  });
  return button;
}

function rulesText(rules) {
  const parts = [rules.segments.map((s) => SEGMENTS.find(([id]) => id === s)?.[1] || s).join(", ")];
  if (rules.interests.length) parts.push(`interests: ${rules.interests.map(interestName).join(", ")}`);
  if (rules.labels.length) parts.push(`labels: ${rules.labels.join(", ")}`);
  if (rules.min_followers) parts.push(`at least ${number(rules.min_followers)} followers`);
  if (rules.enthusiast) parts.push("Enthusiasts only");
  if (rules.active_within_days) parts.push(`active in the last ${rules.active_within_days} days`);
  return parts.join(" · ");
}

export class Audiences {
  constructor(brand) {
    this.brand = brand;
    this.base = `/brands/${encodeURIComponent(brand.id)}/audiences`;
    this.list = h("div.audience-list", { "aria-live": "polite" });
    this.section = h(
      "section.panel.audiences",
      { "aria-label": `${brand.name} audiences` },
      h("h2", {}, `Audiences of ${brand.name}`),
      h("p.hint", {}, "Rules over your fans, opinion leaders and potential customers. Members are tagged automatically from their public activity; members who opted out of brand audiences never appear."),
      this.builder(),
      h("div.actions", {}, h("button.btn.small", { type: "button", onclick: () => this.refresh() }, "Refresh")),
      this.list,
    );
  }

  builder() {
    const chosen = { segments: new Set(["fans", "opinion_leaders", "potential_customers"]), interests: new Set(), labels: new Set() };
    const name = h("input", { name: "audience-name", required: true, maxlength: 80, placeholder: "e.g. Hiking fans" });
    const followers = h("input", { type: "number", min: 0, value: 0, name: "min-followers" });
    const enthusiast = h("input", { type: "checkbox", name: "enthusiast" });
    const recency = h("select", { name: "recency" }, ...RECENCY.map(([v, label]) => h("option", { value: v }, label)));
    const toggle = (set, value) => (on) => (on ? set.add(value) : set.delete(value));
    const interests = h("div.chips", { role: "group", "aria-label": "Interests" });
    const labels = h("div.chips", { role: "group", "aria-label": "Photo labels" });
    api("GET", "/interests")
      .then((page) => interests.append(...page.items.map((i) => chip(i.name, false, toggle(chosen.interests, i.id)))))
      .catch(() => {});
    api("GET", `/brands/${encodeURIComponent(this.brand.id)}/insights/labels?limit=20`)
      .then((page) => labels.append(...page.items.map((l) => chip(l.label, false, toggle(chosen.labels, l.label)))))
      .catch(() => {});
    const form = h(
      "form.stack.campaign-form.audience-builder",
      { "aria-label": "New audience" },
      h("h3", {}, "New audience"),
      h("label", {}, "Name ", name),
      h("div.chips", { role: "group", "aria-label": "Segments" }, ...SEGMENTS.map(([id, label]) => chip(label, true, toggle(chosen.segments, id)))),
      h("p.hint", {}, "Interests (any of):"),
      interests,
      h("p.hint", {}, "Labels of photos they post or engage with (any of):"),
      labels,
      h("label", {}, "At least this many followers", followers),
      h("label", {}, "Recency", recency),
      h("label.check", {}, enthusiast, " Enthusiast badge holders only"),
      h("button.btn.primary", { type: "submit" }, "Save audience"),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const rules = {
        segments: [...chosen.segments],
        interests: [...chosen.interests],
        labels: [...chosen.labels],
        min_followers: Number(followers.value || 0),
        enthusiast: enthusiast.checked,
      };
      if (recency.value) rules.active_within_days = Number(recency.value);
      try {
        await api("POST", this.base, { name: name.value, rules });
        toast("Audience saved: it fills from your members in a moment.");
        name.value = "";
        await this.refresh();
      } catch (error) {
        showError(error);
      }
    });
    return form;
  }

  async refresh() {
    try {
      const page = await api("GET", `${this.base}?limit=100`);
      this.list.replaceChildren(...(page.items.length ? page.items.map((a) => this.card(a)) : [h("p.hint", {}, "No audiences yet.")]));
    } catch (error) {
      this.list.replaceChildren(h("p.hint", {}, error.message));
    }
  }

  card(audience) {
    const path = `${this.base}/${encodeURIComponent(audience.id)}`;
    const members = h("div.audience-members");
    const c = audience.community;
    const counts = c
      ? h(
          "p.community-counts",
          { "data-testid": "community-counts" },
          `Community: ${number(c.invited)} invited · ${number(c.joined)} joined`,
          c.status === "inviting" ? " (inviting…)" : c.status === "throttled" ? ` (daily limit reached: goes on after ${new Date(c.retry_at).toLocaleString()})` : "",
        )
      : null;
    const createCommunity = h(
      "button.btn.primary.small",
      {
        type: "button",
        disabled: !audience.ready,
        onclick: async () => {
          try {
            await api("POST", `${path}/community`);
            toast("Community created: invitations are on their way.");
            await this.refresh();
          } catch (error) {
            showError(error);
          }
        },
      },
      c ? "Invite new members" : "Create community",
    );
    const remove = h(
      "button.btn.small.danger",
      {
        type: "button",
        "aria-label": `Delete audience ${audience.name}`,
        onclick: async () => {
          if (!confirm(`Delete "${audience.name}"? Its member list and community counts go; invitations already sent stay.`)) return;
          try {
            await api("DELETE", path);
            toast("Audience deleted.");
            await this.refresh();
          } catch (error) {
            showError(error); // 409 audience_in_use: a running campaign targets it
          }
        },
      },
      "Delete",
    );
    return h(
      "article.panel.audience",
      { "data-audience-id": audience.id },
      h("h3", {}, audience.name),
      h("p.hint", {}, rulesText(audience.rules)),
      audience.ready ? null : h("p.hint", {}, "Filling from your members…"),
      counts,
      h(
        "div.actions",
        {},
        h("button.btn.small", { type: "button", onclick: () => this.showMembers(path, members, null) }, "Members"),
        h("button.btn.small", { type: "button", onclick: () => download(`${path}/members?format=csv`, `${audience.name}.csv`).catch(showError) }, "Export CSV"),
        createCommunity,
        remove,
      ),
      members,
    );
  }

  async showMembers(path, into, cursor) {
    try {
      const page = await api("GET", `${path}/members?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      if (!cursor) into.replaceChildren();
      const list = into.querySelector("ul.members") || into.appendChild(h("ul.members", { "aria-label": "Audience members" }));
      list.append(
        ...page.items.map((m) =>
          h(
            "li.member",
            {},
            h("a.author", { href: `#/user/${encodeURIComponent(m.member.id)}` }, m.member.display_name),
            badges(m.member.badges),
            ` · ${number(m.followers)} followers `,
            h("span.chips", {}, ...m.tags.map((t) => h("span.chip.tag", {}, t))),
          ),
        ),
      );
      into.querySelector("button.more")?.remove();
      if (!page.items.length && !cursor) into.append(h("p.hint", {}, "Nobody yet."));
      if (page.next_cursor) into.append(h("button.btn.small.more", { type: "button", onclick: () => this.showMembers(path, into, page.next_cursor) }, "More"));
    } catch (error) {
      showError(error);
    }
  }
}

/** The Audiences block of one brand, loaded. */
export async function audiencesSection(brand) {
  const view = new Audiences(brand);
  await view.refresh();
  return view.section;
}
