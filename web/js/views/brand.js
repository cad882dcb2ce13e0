// Brand dashboard (brand accounts): insights as charts and tables, campaigns with lift.
// When the API has no brand insights route yet (404), it lists the brand's products instead.

import { api, isBrand, me, signedIn } from "../api.js";
import { badges, errorBox, formatPrice, go, h, interestName, smallest } from "../ui.js";

const SVG = "http://www.w3.org/2000/svg";
const SERIES = [
  ["impressions", "Impressions", "#c2410c"],
  ["tag_clicks", "Hotspot taps", "#0b5cad"],
  ["product_clicks", "Product clicks", "#15803d"],
  ["smiles", "Smiles", "#7c3aed"],
];

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, value);
  el.append(...children);
  return el;
}

const percent = (value) => `${(100 * (value || 0)).toFixed(1)}%`;
const number = (value) => new Intl.NumberFormat().format(value || 0);
const memberLink = (member) =>
  h("span", {}, h("a.author", { href: `#/user/${encodeURIComponent(member.id)}` }, member.display_name), badges(member.badges));

/** A per-day line chart of the chosen metrics. */
export function seriesChart(series) {
  const width = 720;
  const height = 240;
  const pad = { left: 44, right: 12, top: 12, bottom: 28 };
  const max = Math.max(1, ...series.flatMap((day) => SERIES.map(([key]) => day[key] || 0)));
  const x = (i) => pad.left + (series.length < 2 ? 0 : (i * (width - pad.left - pad.right)) / (series.length - 1));
  const y = (v) => height - pad.bottom - (v / max) * (height - pad.top - pad.bottom);
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-label": "Daily engagement" });
  for (const tick of [0, 0.5, 1]) {
    const value = Math.round(max * tick);
    chart.append(
      svg("line", { x1: pad.left, x2: width - pad.right, y1: y(value), y2: y(value), stroke: "#e3dfd9" }),
      svg("text", { x: pad.left - 6, y: y(value) + 4, "text-anchor": "end", "font-size": 11, fill: "#595959" }, String(value)),
    );
  }
  const labelEvery = Math.max(1, Math.ceil(series.length / 7));
  series.forEach((day, i) => {
    if (i % labelEvery === 0) {
      chart.append(svg("text", { x: x(i), y: height - 8, "text-anchor": "middle", "font-size": 11, fill: "#595959" }, day.date.slice(5)));
    }
  });
  for (const [key, , colour] of SERIES) {
    const points = series.map((day, i) => `${x(i).toFixed(1)},${y(day[key] || 0).toFixed(1)}`).join(" ");
    chart.append(svg("polyline", { points, fill: "none", stroke: colour, "stroke-width": 2.5, "data-series": key }));
  }
  const legend = h("div.legend", {}, SERIES.map(([, label, colour]) => h("span", { style: { "--c": colour } }, label)));
  return h("figure", { style: { margin: 0 } }, chart, legend);
}

function table(caption, headers, rows) {
  return h(
    "table",
    {},
    h("caption.sr-only", {}, caption),
    h("thead", {}, h("tr", {}, headers.map((label) => h("th", { scope: "col" }, label)))),
    h("tbody", {}, rows.length ? rows.map((cells) => h("tr", {}, cells.map((cell) => h("td", {}, cell)))) : h("tr", {}, h("td", { colspan: headers.length }, "None yet."))),
  );
}

function funnel(products) {
  const max = Math.max(1, ...products.map((p) => p.impressions));
  return table(
    "Hotspot funnel per product",
    ["Product", "Posts", "Impressions", "Hotspot taps", "Product clicks"],
    products.map((p) => [
      h("a", { href: `#/product/${encodeURIComponent(p.product_id)}` }, p.title),
      number(p.posts),
      h("div", {}, number(p.impressions), h("div.bar", { style: { width: `${(100 * p.impressions) / max}%` } })),
      h("div", {}, number(p.tag_clicks), h("div.bar", { style: { width: `${(100 * p.tag_clicks) / max}%`, background: "#0b5cad" } })),
      h("div", {}, number(p.product_clicks), h("div.bar", { style: { width: `${(100 * p.product_clicks) / max}%`, background: "#15803d" } })),
    ]),
  );
}

function topCreatives(topPosts) {
  return h(
    "div.grid-photos",
    {},
    topPosts.map(({ post, impressions, engagement_rate }) => {
      const photo = post.photos[0];
      const thumb = photo ? smallest(photo.thumbnails) : null;
      return h(
        "a",
        { href: `#/post/${encodeURIComponent(post.id)}` },
        thumb ? h("img", { src: thumb.url, alt: post.caption, loading: "lazy", width: thumb.width, height: thumb.height }) : h("span", {}, post.caption),
        h("span.overlay", {}, `${number(impressions)} views · ${percent(engagement_rate)}`),
      );
    }),
  );
}

function lift(value) {
  if (value === null || value === undefined) return h("span.hint", {}, "new");
  const cls = value >= 0 ? "lift-up" : "lift-down";
  return h(`span.${cls}`, {}, `${value >= 0 ? "+" : ""}${(value * 100).toFixed(0)}%`);
}

async function campaigns(brandId, section) {
  try {
    const page = await api("GET", `/brands/${encodeURIComponent(brandId)}/campaigns?limit=20`);
    if (!page.items.length) return section.append(h("p.hint", {}, "No campaigns yet."));
    const reports = await Promise.all(
      page.items.map((c) => api("GET", `/brands/${encodeURIComponent(brandId)}/campaigns/${encodeURIComponent(c.id)}`)),
    );
    const metrics = ["impressions", "smiles", "comments", "tag_clicks", "product_clicks"];
    section.append(
      table(
        "Campaigns",
        ["Campaign", "Window", ...metrics.map((m) => m.replace("_", " "))],
        reports.map((r) => [
          r.name,
          `${r.starts_at.slice(0, 10)} → ${r.ends_at.slice(0, 10)}`,
          ...metrics.map((m) => h("span", {}, number(r.metrics[m]), " ", lift((r.lift || {})[m]))),
        ]),
      ),
    );
  } catch (error) {
    section.append(error.status === 404 ? h("p.hint", {}, "Campaigns are not available on this API yet.") : errorBox(error));
  }
}

function dashboard(insights, brand) {
  const t = insights.totals;
  const kpi = (label, value) => h("div.kpi", {}, h("strong", {}, value), label);
  const campaignSection = h("section", { "aria-label": "Campaigns" }, h("h2", {}, "Campaigns"));
  campaigns(brand.id, campaignSection);
  return h(
    "div",
    {},
    h("p.hint", {}, `${insights.from} to ${insights.to}`),
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
    ),
    h("h2", {}, "Every day"),
    seriesChart(insights.series),
    h("h2", {}, "Hotspot funnel per product"),
    funnel(insights.products),
    h("h2", {}, "Top creatives"),
    topCreatives(insights.top_posts),
    h(
      "div.dash-grid",
      {},
      h(
        "section",
        {},
        h("h2", {}, "Fans"),
        table("Fans", ["Member", "Posts", "Smiles received"], insights.fans.map((f) => [memberLink(f.member), number(f.posts), number(f.smiles_received)])),
      ),
      h(
        "section",
        {},
        h("h2", {}, "Opinion leaders"),
        table(
          "Opinion leaders",
          ["Member", "Posts", "Engagement / post", "Influence"],
          insights.opinion_leaders.map((o) => [memberLink(o.member), number(o.posts), o.engagement_per_post.toFixed(1), o.influence.toFixed(2)]),
        ),
      ),
      h(
        "section",
        {},
        h("h2", {}, "Potential customers"),
        table(
          "Potential customers",
          ["Member", "Smiles", "Comments", "Hotspot taps"],
          insights.potential_customers.map((p) => [memberLink(p.member), number(p.smiles), number(p.comments), number(p.tag_clicks)]),
        ),
      ),
      h(
        "section",
        {},
        h("h2", {}, "What the photos show"),
        h("div.chips", {}, insights.labels.map((l) => h("span.chip", {}, `${l.label} · ${l.posts}`))),
        h("h2", {}, "Top interests"),
        h("div.chips", {}, insights.top_interests.map((i) => h("a.chip", { href: `#/interest/${encodeURIComponent(i.interest)}` }, `${interestName(i.interest)} · ${number(i.engagement)}`))),
      ),
    ),
    campaignSection,
  );
}

async function productsFallback(brand, note) {
  const page = await api("GET", `/products?limit=50&q=${encodeURIComponent(brand.name)}`);
  const products = page.items.filter((p) => !brand.id || p.brand_id === brand.id || p.brand_name === brand.name);
  return h(
    "div",
    {},
    h("p.hint", {}, note),
    h("h2", {}, `${brand.name} products (${products.length})`),
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
  for (const brand of brands) {
    const section = h("section", { "aria-label": brand.name }, h("h2", {}, brand.name));
    main.append(section);
    if (!brand.id) {
      section.append(await productsFallback(brand, "Brand insights are not available on this API yet: here is your catalog."));
      continue;
    }
    try {
      const insights = await api("GET", `/brands/${encodeURIComponent(brand.id)}/insights`);
      section.append(dashboard(insights, brand));
    } catch (error) {
      if (error.status !== 404) throw error;
      section.append(await productsFallback(brand, "Brand insights are not available on this API yet: here is your catalog."));
    }
  }
}
