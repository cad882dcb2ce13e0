// Brand dashboard (brand accounts): a window picker, totals, daily charts, the hotspot funnel per
// product, creatives, fans, opinion leaders, potential customers, labels, interests and campaigns
// (with a form to create one), each list with "more" (its cursor pages) and a CSV export.
//
// Layout: every block fits its column from 360 px to 1920 px (tables become stacked cards on a
// phone; charts are drawn at the width they get, so their text stays 12 px). Scales: impressions
// get their own chart; taps, clicks, smiles and comments share a second one, so the small counts
// are readable. When the API has no brand insights route yet (404), it lists the brand's products.

import { api, download, isBrand, me, signedIn } from "../api.js";
import { audiencesSection } from "./audiences.js";
import { badges, errorBox, formatPrice, go, h, interestName, showError, smallest, toast } from "../ui.js";
import { rightsSection } from "./rights.js";
import { mentionsSection } from "./mentions.js";

const SVG = "http://www.w3.org/2000/svg";
const ENGAGEMENT = [
  ["tag_clicks", "Hotspot taps", "#0b5cad"],
  ["product_clicks", "Product clicks", "#15803d"],
  ["smiles", "Smiles", "#7c3aed"],
  ["comments", "Comments", "#b45309"],
];
const DAY_MS = 86_400_000;
const LISTS = {
  products: "products",
  fans: "fans",
  opinion_leaders: "opinion-leaders",
  potential_customers: "potential-customers",
  top_posts: "top-posts",
  top_interests: "interests",
  labels: "labels",
};

const percent = (value) => `${(100 * (value || 0)).toFixed(1)}%`;
// Where events happened (API.md POST /events `channel`), as the dashboard names them.
const CHANNEL_NAMES = { feed: "Feed", post: "Post pages", profile: "Profiles", interest: "Interest pages", product: "Product pages", brand_page: "Brand page", gallery: "Gallery embed" };
const number = (value) => new Intl.NumberFormat().format(value || 0);
const plural = (n, word) => `${number(n)} ${word}${n === 1 ? "" : "s"}`;
const isoDay = (date) => date.toISOString().slice(0, 10);
const addDays = (day, n) => isoDay(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS));
const memberLink = (member) =>
  h("span", {}, h("a.author", { href: `#/user/${encodeURIComponent(member.id)}` }, member.display_name), badges(member.badges));

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, value);
  el.append(...children);
  return el;
}

/** A round axis maximum: 1, 2, 5 x 10^n at or above `value`. */
function niceMax(value) {
  if (value <= 4) return Math.max(1, Math.ceil(value));
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 2.5, 5, 10].map((m) => m * power).find((m) => m >= value);
}

/**
 * A daily chart drawn at `width` px: bars for `bars` ([key, label, colour]) and lines for `lines`,
 * on one y scale of their own. Text is 12 px whatever the width; date labels thin out to fit.
 */
export function dayChart(series, { bars = [], lines = [], label, width }) {
  const height = Math.max(180, Math.min(260, Math.round(width * 0.45)));
  const pad = { left: 44, right: 10, top: 12, bottom: 26 };
  const values = series.flatMap((day) => [...bars, ...lines].map(([key]) => day[key] || 0));
  const max = niceMax(Math.max(1, ...values));
  const plotW = width - pad.left - pad.right;
  const slot = plotW / Math.max(1, series.length);
  const x = (i) => pad.left + slot * (i + 0.5);
  const y = (v) => height - pad.bottom - (v / max) * (height - pad.top - pad.bottom);
  const chart = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-label": label });
  for (const tick of [0, 0.5, 1]) {
    const value = max * tick;
    chart.append(
      svg("line", { x1: pad.left, x2: width - pad.right, y1: y(value), y2: y(value), stroke: "#e3dfd9" }),
      svg("text", { x: pad.left - 6, y: y(value) + 4, "text-anchor": "end", "font-size": 12, fill: "#595959" }, number(value)),
    );
  }
  const every = Math.max(1, Math.ceil(series.length / Math.max(1, Math.floor(plotW / 52))));
  series.forEach((day, i) => {
    if (i % every === 0) {
      chart.append(svg("text", { x: x(i), y: height - 8, "text-anchor": "middle", "font-size": 12, fill: "#595959" }, day.date.slice(5)));
    }
  });
  bars.forEach(([key, , colour], b) => {
    const barW = Math.max(1, (slot * 0.7) / bars.length);
    series.forEach((day, i) => {
      const value = day[key] || 0;
      if (!value) return;
      const left = x(i) - (slot * 0.7) / 2 + b * barW;
      chart.append(
        svg("rect", { x: left, y: y(value), width: barW, height: y(0) - y(value), fill: colour, "data-series": key },
          svg("title", {}, `${day.date}: ${number(value)}`)),
      );
    });
  });
  for (const [key, , colour] of lines) {
    const points = series.map((day, i) => `${x(i).toFixed(1)},${y(day[key] || 0).toFixed(1)}`).join(" ");
    if (series.length > 1) chart.append(svg("polyline", { points, fill: "none", stroke: colour, "stroke-width": 2.5, "data-series": key }));
    series.forEach((day, i) => chart.append(svg("circle", { cx: x(i), cy: y(day[key] || 0), r: 3, fill: colour },
      svg("title", {}, `${day.date}: ${number(day[key])}`))));
  }
  const legend = h("div.legend", {}, [...bars, ...lines].map(([, name, colour]) => h("span", { style: { "--c": colour } }, name)));
  return h("figure.chart-box", {}, chart, legend);
}

/** A table that becomes stacked cards on a phone (each cell labelled by its column). */
function table(caption, headers, rows) {
  return h(
    "table.stack-table",
    {},
    h("caption.sr-only", {}, caption),
    h("thead", {}, h("tr", {}, headers.map((label) => h("th", { scope: "col" }, label)))),
    h(
      "tbody",
      {},
      rows.length
        ? rows.map((cells) => h("tr", {}, cells.map((cell, i) => h("td", { "data-label": headers[i] }, cell))))
        : h("tr", {}, h("td.none", { colspan: headers.length }, "None yet.")),
    ),
  );
}

function meter(fraction, colour, text) {
  return h(
    "div.meter",
    {},
    h("span.meter-text", {}, text),
    h("span.meter-track", { "aria-hidden": "true" }, h("span.meter-fill", { style: { width: `${Math.max(0, Math.min(100, 100 * fraction))}%`, background: colour } })),
  );
}

function funnelRows(products) {
  const most = (key) => Math.max(1e-9, ...products.map(key));
  const tapRate = (p) => (p.impressions ? p.tag_clicks / p.impressions : 0);
  const openRate = (p) => (p.tag_clicks ? p.product_clicks / p.tag_clicks : 0);
  const maxImpressions = most((p) => p.impressions);
  const maxTap = most(tapRate);
  const maxOpen = most(openRate);
  return products.map((p) => [
    h("a", { href: `#/product/${encodeURIComponent(p.product_id)}` }, p.title),
    number(p.posts),
    meter(p.impressions / maxImpressions, "#c2410c", number(p.impressions)),
    meter(tapRate(p) / maxTap, "#0b5cad", `${percent(tapRate(p))} · ${plural(p.tag_clicks, "tap")}`),
    meter(openRate(p) / maxOpen, "#15803d", `${percent(openRate(p))} · ${plural(p.product_clicks, "open")}`),
  ]);
}

const FUNNEL_HEADERS = ["Product", "Posts", "Impressions", "Tap rate", "Opens per tap"];

function topCreatives(topPosts) {
  return topPosts.map(({ post, impressions, engagement_rate, smoothed_rate }) => {
    const photo = post.photos[0];
    const thumb = photo ? smallest(photo.thumbnails, 240) : null;
    return h(
      "a",
      { href: `#/post/${encodeURIComponent(post.id)}`, title: `Ranked by ${percent(smoothed_rate)} (smoothed)` },
      thumb ? h("img", { src: thumb.url, alt: post.caption, loading: "lazy", width: thumb.width, height: thumb.height }) : h("span.creative-text", {}, post.caption),
      h("span.overlay", {}, `${number(impressions)} views · ${percent(engagement_rate)}`),
    );
  });
}

function lift(value, interval) {
  if (value === null || value === undefined) return h("span.hint", { title: "Not enough data in one of the windows to say" }, "n/a");
  const cls = value >= 0 ? "lift-up" : "lift-down";
  const range = interval ? ` (95%: ${(interval[0] * 100).toFixed(0)}% to ${(interval[1] * 100).toFixed(0)}%)` : "";
  return h(`span.${cls}`, { title: `Against the previous window${range}` }, `${value >= 0 ? "+" : ""}${(value * 100).toFixed(0)}%`);
}

// Lift against the holdout (GET campaign report `holdout_lift`): treated vs holdout engaged rates.
const HOLDOUT_REASONS = {
  no_audience: "No audience targeted",
  empty_holdout: "No holdout member yet",
  empty_treated: "No treated member yet",
  zero_holdout_rate: "Nobody in the holdout engaged yet",
};

function holdoutLift(report) {
  const groups = report.holdout_lift;
  if (!groups) return h("span.hint", {}, "n/a");
  const group = (name, g) =>
    h(`span.group.${name}`, {}, `${name === "treated" ? "Treated" : "Holdout"}: ${number(g.engaged)} of ${plural(g.members, "member")}`, g.rate === null ? "" : ` (${percent(g.rate)})`);
  const value =
    groups.lift === null
      ? h("span.hint.holdout-reason", {}, HOLDOUT_REASONS[groups.reason] || "n/a")
      : h(`span.holdout-value.${groups.lift >= 0 ? "lift-up" : "lift-down"}`, { title: "Treated rate / holdout rate - 1" }, `${groups.lift >= 0 ? "+" : ""}${(groups.lift * 100).toFixed(0)}% vs holdout`);
  return h("span.holdout-lift", { "aria-label": "Lift against the holdout" }, group("treated", groups.treated), h("br"), group("holdout", groups.holdout), h("br"), value);
}

// Each list: how to draw its rows, and its column headers.
const LIST_VIEWS = {
  fans: [["Member", "Posts", "Smiles received"], (f) => [memberLink(f.member), number(f.posts), number(f.smiles_received)]],
  opinion_leaders: [
    ["Member", "Engaged posts", "Engagement / post", "Influence"],
    (o) => [memberLink(o.member), number(o.posts), o.engagement_per_post.toFixed(1), o.influence.toFixed(2)],
  ],
  potential_customers: [["Member", "Smiles", "Comments"], (p) => [memberLink(p.member), number(p.smiles), number(p.comments)]],
};

class Dashboard {
  constructor(brand, section) {
    this.brand = brand;
    this.section = section;
    this.window = null; // {from, to}
    this.onResize = debounce(() => this.drawCharts(), 200);
    addEventListener("resize", this.onResize);
  }

  path(suffix = "", extra = {}) {
    const query = new URLSearchParams({ ...(this.window || {}), ...extra });
    return `/brands/${encodeURIComponent(this.brand.id)}/insights${suffix}${query.toString() ? `?${query}` : ""}`;
  }

  async load(window) {
    this.window = window;
    this.section.replaceChildren(h("h2", {}, this.brand.name), h("p.loading", {}, "Loading insights…"));
    try {
      this.insights = await api("GET", this.path());
    } catch (error) {
      if (error.status === 404) return this.section.replaceChildren(h("h2", {}, this.brand.name), await productsFallback(this.brand, "Brand insights are not available on this API yet: here is your catalog."));
      throw error;
    }
    this.window = { from: this.insights.from, to: this.insights.to };
    this.render();
  }

  /** The series from the first day the brand has data (the window's start otherwise). */
  shownSeries() {
    const start = this.insights.data_from;
    const series = this.insights.series.filter((d) => !start || d.date >= start);
    return series.length ? series : this.insights.series.slice(-1);
  }

  render() {
    const insights = this.insights;
    const t = insights.totals;
    const kpi = (label, value, note) => h("div.kpi", {}, h("strong", {}, value), label, note ? h("small.hint", {}, note) : null);
    const filtered = t.filtered.impressions + t.filtered.tag_clicks + t.filtered.product_clicks;
    this.charts = h("div.charts");
    const started = insights.data_from && insights.data_from > insights.from ? ` (data since ${insights.data_from})` : "";
    const blocks = [
      h("h2", {}, h("a", { href: `#/brands/${encodeURIComponent(this.brand.id)}`, title: "The brand's public page" }, this.brand.name)),
      this.windowPicker(),
      h("p.hint", {}, `${insights.from} to ${insights.to}${started}`),
      h(
        "div.kpis",
        {},
        kpi("posts", number(t.posts)),
        kpi("impressions", number(t.impressions)),
        kpi("smiles", number(t.smiles)),
        kpi("comments", number(t.comments)),
        kpi("hotspot taps", number(t.tag_clicks)),
        kpi("product clicks", number(t.product_clicks)),
        kpi("tap rate", percent(t.tag_click_rate)),
        kpi("click rate", percent(t.product_click_rate)),
        h(
          "div.kpi.filtered",
          { title: "Events far above a post's usual rate in one hour are held apart: not in the totals, rates or lists" },
          h("strong", {}, number(filtered)),
          "held as filtered",
          h("small.hint", {}, `${number(t.filtered.impressions)} impressions, ${number(t.filtered.tag_clicks)} taps, ${number(t.filtered.product_clicks)} clicks`),
        ),
      ),
      insights.complete ? null : h("p.hint", {}, "This brand is large: each list shows its heaviest hitters; totals and the daily series are exact."),
      h("h3", {}, "Every day"),
      this.charts,
      this.listSection("Hotspot funnel per product", "products", FUNNEL_HEADERS, funnelRows, {
        note: "Per product: a post that tags several of your products counts for each of them, so these add up to more than the totals.",
      }),
      this.listSection("Top creatives", "top_posts", null, null, {
        note: "Ranked by a smoothed engagement rate; posts with fewer than 50 impressions come after.",
      }),
      h(
        "div.dash-grid",
        {},
        ...["fans", "opinion_leaders", "potential_customers"].map((name) =>
          this.listSection({ fans: "Fans", opinion_leaders: "Opinion leaders", potential_customers: "Potential customers" }[name], name, LIST_VIEWS[name][0], (rows) => rows.map(LIST_VIEWS[name][1]), {
            note: {
              opinion_leaders: "Influence: engagement per post that earned any in the window, raised by followers and the Enthusiast badge.",
              potential_customers: "Members who smiled or commented and never posted about you (taps and clicks are never tied to a member).",
            }[name],
          }),
        ),
        h(
          "section",
          {},
          h("div.section-head", {}, h("h3", {}, "What the photos show"), this.csvButton("labels")),
          h("div.chips", {}, insights.labels.map((l) => h("span.chip", {}, `${l.label} · ${l.posts}`))),
          h("div.section-head", {}, h("h3", {}, "Top interests"), this.csvButton("top_interests")),
          h("div.chips", {}, insights.top_interests.map((i) => h("a.chip", { href: `#/interest/${encodeURIComponent(i.interest)}` }, `${interestName(i.interest)} · ${number(i.engagement)}`))),
          h("div.section-head", {}, h("h3", {}, "Best channels")),
          h("div.chips", {}, (insights.channels || []).map((c) => h("span.chip", { title: `${number(c.impressions)} views, ${plural(c.tag_clicks, "tap")}, ${plural(c.product_clicks, "open")}` }, `${CHANNEL_NAMES[c.channel] || c.channel} · ${number(c.impressions)} views · ${percent(c.tag_click_rate)} taps`))),
        ),
      ),
      this.campaignSection(),
      rightsSection(this.brand, insights.top_posts),
      mentionsSection(this.brand),
    ];
    this.section.replaceChildren(...blocks.filter(Boolean));
    this.drawCharts();
  }

  drawCharts() {
    if (!this.charts) return;
    const width = Math.max(280, Math.floor((this.section.clientWidth || 340) - 2));
    const two = width >= 900;
    const each = two ? Math.floor((width - 16) / 2) : width;
    const series = this.shownSeries().map((d) => ({ ...d, counted: d.impressions }));
    this.charts.replaceChildren(
      dayChart(series, {
        bars: [["impressions", "Impressions", "#c2410c"], ["filtered", "Held as filtered", "#9ca3af"]],
        label: "Impressions per day",
        width: each,
      }),
      dayChart(series, { lines: ENGAGEMENT, label: "Taps, clicks, smiles and comments per day", width: each }),
    );
  }

  windowPicker() {
    const today = isoDay(new Date());
    const from = h("input", { type: "date", value: this.window.from, min: "2000-01-01", max: "2100-12-31", "aria-label": "From" });
    const to = h("input", { type: "date", value: this.window.to, min: "2000-01-01", max: "2100-12-31", "aria-label": "To" });
    const preset = (label, days) =>
      h("button.chip", { type: "button", onclick: () => this.load({ from: addDays(today, -(days - 1)), to: today }) }, label);
    return h(
      "form.window-picker",
      {
        onsubmit: (event) => {
          event.preventDefault();
          this.load({ from: from.value, to: to.value }).catch(showError);
        },
      },
      preset("7 days", 7),
      preset("28 days", 28),
      preset("92 days", 92),
      this.insights.data_from
        ? h("button.chip", { type: "button", onclick: () => this.load({ from: this.insights.data_from > addDays(today, -91) ? this.insights.data_from : addDays(today, -91), to: today }) }, "Since data")
        : null,
      h("label.inline", {}, "From ", from),
      h("label.inline", {}, "to ", to),
      h("button.btn", { type: "submit" }, "Show"),
    );
  }

  csvButton(name) {
    return h(
      "button.btn.small",
      {
        type: "button",
        onclick: () =>
          download(this.path(`/${LISTS[name]}`, { format: "csv" }), `${this.brand.name}-${LISTS[name]}-${this.window.from}-${this.window.to}.csv`).catch(showError),
      },
      "CSV",
    );
  }

  /** A list's first page from the insights answer, then its next pages (cursor) on "More". */
  listSection(title, name, headers, toRows, { note } = {}) {
    const rows = this.insights[name];
    const body = h("div");
    const draw = (items) => {
      if (name === "top_posts") body.append(h("div.grid-photos", {}, topCreatives(items)));
      else body.append(table(title, headers, toRows(items)));
    };
    draw(rows);
    // More: the list route, 100 at a time, then its next pages by cursor.
    const more = h("button.btn.small", { type: "button", hidden: rows.length < 20 }, "More");
    let cursor = null;
    more.addEventListener("click", async () => {
      more.disabled = true;
      try {
        const page = await api("GET", this.path(`/${LISTS[name]}`, cursor ? { limit: 100, cursor } : { limit: 100 }));
        body.replaceChildren();
        draw(page.items);
        cursor = page.next_cursor;
        more.hidden = !cursor;
      } catch (error) {
        showError(error);
      } finally {
        more.disabled = false;
      }
    });
    return h(
      "section",
      { "aria-label": title },
      h("div.section-head", {}, h("h3", {}, title), this.csvButton(name)),
      note ? h("p.hint", {}, note) : null,
      body,
      more,
    );
  }

  campaignSection() {
    const section = h("section", { "aria-label": "Campaigns" }, h("div.section-head", {}, h("h3", {}, "Campaigns")));
    const list = h("div");
    section.append(list, this.campaignForm(list));
    this.loadCampaigns(list);
    return section;
  }

  async loadCampaigns(list) {
    try {
      const base = `/brands/${encodeURIComponent(this.brand.id)}/campaigns`;
      const page = await api("GET", `${base}?limit=20`);
      if (!page.items.length) return list.replaceChildren(h("p.hint", {}, "No campaigns yet."));
      const reports = await Promise.all(page.items.map((c) => api("GET", `${base}/${encodeURIComponent(c.id)}`)));
      const metrics = [["impressions", "Impressions"], ["smiles", "Smiles"], ["tag_clicks", "Taps"], ["product_clicks", "Clicks"], ["tag_click_rate", "Tap rate"]];
      const show = (r, m) => (m.endsWith("_rate") ? percent(r.metrics[m]) : number(r.metrics[m]));
      list.replaceChildren(
        table(
          "Campaigns",
          ["Campaign", "Window", ...metrics.map(([, label]) => label), "Others' impressions", "Lift vs holdout", "Targeting"],
          reports.map((r) => [
            h("span", {}, r.name, " ", h(`span.status.${r.status}`, {}, r.status)),
            h("span", {}, `${r.starts_at} → ${r.ends_at}`, h("small.hint", {}, ` vs ${r.previous_from} → ${r.previous_to} (${r.compared_days} days)`)),
            ...metrics.map(([m]) => h("span", {}, show(r, m), " ", lift(r.lift[m], r.lift_interval[m]))),
            h("span", { title: "Your posts that tag none of the campaign's products: the baseline" }, number(r.baseline.metrics.impressions), " ", lift(r.baseline.lift.impressions)),
            holdoutLift(r),
            this.campaignControls(r, list),
          ]),
        ),
        h("p.hint", {}, "Each post counts once however many campaign products it tags. Lift compares with as many days just before the start, and shows only when both windows have at least 10 (100 impressions for a rate)."),
        h("p.hint", {}, "Lift vs holdout: of the audience members reached while it runs, about 10% (the holdout) never see the featured slot. Engaged: members who tapped, clicked, smiled or commented on its products, once each."),
      );
    } catch (error) {
      list.replaceChildren(error.status === 404 ? h("p.hint", {}, "Campaigns are not available on this API yet.") : errorBox(error));
    }
  }

  // The audience a campaign reaches and the posts it features: the brand's audiences, and the posts
  // whose rights the author approved (only those can be featured: 409 not_featurable otherwise).
  targetingPicks(current = {}) {
    const base = `/brands/${encodeURIComponent(this.brand.id)}`;
    const audience = h("select", { name: "audience_id" }, h("option", { value: "" }, "No audience"));
    const featured = h("fieldset.featured-picks", {}, h("legend", {}, "Featured posts"), h("p.hint", {}, "Loading approved posts…"));
    api("GET", `${base}/audiences?limit=50`)
      .then((page) => {
        audience.append(...page.items.map((a) => h("option", { value: a.id }, a.name)));
        audience.value = current.audience_id || "";
      })
      .catch(() => audience.replaceChildren(h("option", { value: "" }, "Could not load your audiences")));
    api("GET", `${base}/rights-requests?limit=50`)
      .then((page) => {
        const approved = page.items.filter((r) => r.status === "approved" && r.post);
        const chosen = new Set(current.featured_post_ids || []);
        featured.replaceChildren(
          h("legend", {}, "Featured posts"),
          approved.length
            ? h("div", {}, ...approved.map((r) => h("label.pick", {}, h("input", { type: "checkbox", value: r.post_id, checked: chosen.has(r.post_id) }), ` ${r.post.caption || r.post_id}`)))
            : h("p.hint", {}, "No approved posts yet: request the rights to a post first."),
        );
      })
      .catch(() => featured.replaceChildren(h("legend", {}, "Featured posts"), h("p.hint", {}, "Could not load approved posts.")));
    return {
      fields: [h("label", {}, "Audience", audience), featured],
      values: () => ({
        audience_id: audience.value || null,
        featured_post_ids: [...featured.querySelectorAll("input:checked")].map((c) => c.value),
      }),
    };
  }

  campaignControls(campaign, list) {
    const path = `/brands/${encodeURIComponent(this.brand.id)}/campaigns/${encodeURIComponent(campaign.id)}`;
    const summary = h("small.hint", {}, campaign.audience_id ? `Audience set, ${campaign.featured_post_ids.length} featured` : "No audience");
    if (campaign.ended_at || campaign.status === "ended") return h("span", {}, summary);
    const edit = h("button.btn.small", { type: "button" }, "Edit");
    const end = h("button.btn.small", { type: "button" }, "End now");
    const cell = h("span.campaign-controls", {}, summary, " ", edit, " ", end);
    edit.onclick = () => {
      const picks = this.targetingPicks(campaign);
      const form = h(
        "form.stack.campaign-edit",
        {
          onsubmit: async (event) => {
            event.preventDefault();
            try {
              await api("PATCH", path, picks.values());
              toast("Campaign updated.");
              this.loadCampaigns(list);
            } catch (error) {
              showError(error);
            }
          },
        },
        ...picks.fields,
        h("button.btn.primary", { type: "submit" }, "Save"),
      );
      cell.replaceChildren(form);
    };
    end.onclick = async () => {
      if (!confirm(`End "${campaign.name}" now? Its featured slot stops.`)) return;
      try {
        await api("POST", `${path}/end`);
        toast("Campaign ended.");
        this.loadCampaigns(list);
      } catch (error) {
        showError(error);
      }
    };
    return cell;
  }

  campaignForm(list) {
    const today = isoDay(new Date());
    const name = h("input", { type: "text", name: "name", required: true, maxlength: 100, placeholder: "Spring launch" });
    const starts = h("input", { type: "date", required: true, value: today, min: "2000-01-01", max: "2100-12-31" });
    const ends = h("input", { type: "date", required: true, value: addDays(today, 13), min: "2000-01-01", max: "2100-12-31" });
    const products = h("fieldset.product-picks", {}, h("legend", {}, "Products"), h("p.hint", {}, "Loading your products…"));
    productsOf(this.brand)
      .then((items) =>
        products.replaceChildren(
          h("legend", {}, "Products"),
          ...items.map((p) => h("label.pick", {}, h("input", { type: "checkbox", value: p.id }), ` ${p.title}`)),
        ),
      )
      .catch(() => products.replaceChildren(h("legend", {}, "Products"), h("p.hint", {}, "Could not load your products.")));
    const picks = this.targetingPicks();
    const form = h(
      "form.stack.campaign-form",
      {
        "aria-label": "New campaign",
        onsubmit: async (event) => {
          event.preventDefault();
          const ids = [...products.querySelectorAll("input:checked")].map((c) => c.value);
          if (!ids.length) return toast("Pick at least one product.", "error");
          try {
            await api("POST", `/brands/${encodeURIComponent(this.brand.id)}/campaigns`, {
              name: name.value,
              product_ids: ids,
              starts_at: starts.value,
              ends_at: ends.value,
              ...picks.values(),
            });
            toast("Campaign created.");
            form.reset();
            this.loadCampaigns(list);
          } catch (error) {
            showError(error);
          }
        },
      },
      h("h4", {}, "New campaign"),
      h("label", {}, "Name", name),
      h("div.row", {}, h("label", {}, "Starts", starts), h("label", {}, "Ends", ends)),
      products,
      ...picks.fields,
      h("button.btn.primary", { type: "submit" }, "Create campaign"),
    );
    return form;
  }

  destroy() {
    removeEventListener("resize", this.onResize);
  }
}

function debounce(fn, ms) {
  let timer = null;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

async function productsOf(brand) {
  const page = await api("GET", `/products?limit=100&q=${encodeURIComponent(brand.name)}`);
  return page.items.filter((p) => p.brand_id === brand.id);
}

async function productsFallback(brand, note) {
  const page = await api("GET", `/products?limit=50&q=${encodeURIComponent(brand.name)}`);
  const products = page.items.filter((p) => !brand.id || p.brand_id === brand.id || p.brand_name === brand.name);
  return h(
    "div",
    {},
    h("p.hint", {}, note),
    h("h3", {}, `${brand.name} products (${products.length})`),
    table(
      "Products",
      ["Product", "Price", "Prime", "Tagged in"],
      products.map((p) => [
        h("a", { href: `#/product/${encodeURIComponent(p.id)}` }, p.title),
        formatPrice(p.price),
        p.prime_eligible ? "yes" : "no",
        `${p.tag_count} ${p.tag_count === 1 ? "post" : "posts"}`,
      ]),
    ),
  );
}

export async function brandView(main) {
  if (!signedIn()) return go("/signin");
  const profile = await me();
  main.append(h("h1", {}, "Brand dashboard"));
  if (!isBrand()) {
    main.append(h("p", {}, "The dashboard is for brand accounts."));
    return;
  }
  // GET /me lists the account's brands once the brand routes exist; before that, the account's
  // display name ("Northpeak Team") names its brand.
  const brands = profile.brands && profile.brands.length ? profile.brands : [{ id: null, name: profile.display_name.replace(/\s+team$/i, "") }];
  const dashboards = [];
  for (const brand of brands) {
    const title = brand.id ? h("a", { href: `#/brands/${encodeURIComponent(brand.id)}`, title: "The brand's public page" }, brand.name) : brand.name;
    const section = h("section.brand-section", { "aria-label": brand.name }, h("h2", {}, title));
    main.append(section);
    if (!brand.id) {
      section.append(await productsFallback(brand, "Brand insights are not available on this API yet: here is your catalog."));
      continue;
    }
    const dashboard = new Dashboard(brand, section);
    dashboards.push(dashboard);
    await dashboard.load(null);
    main.append(await audiencesSection(brand));
  }
  return () => dashboards.forEach((d) => d.destroy());
}
