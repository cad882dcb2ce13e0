// Search: one box (in the top bar) for products, people, interests and posts. GET /search pages
// through every kind at once (or one kind, when a filter is chosen); results are grouped by kind.

import { api } from "../api.js";
import { avatar, badges, formatPrice, h, infinite, Masonry } from "../ui.js";

const KINDS = [
  ["", "Everything"],
  ["interest", "Interests"],
  ["member", "People"],
  ["product", "Products"],
  ["post", "Posts"],
];

function searchPath(q, type, extra = {}) {
  const params = new URLSearchParams({ q, ...(type ? { type } : {}), ...extra });
  return `/search?${params}`;
}

export async function searchView(main) {
  // Read the query from the address itself: the router's decoding would mangle "&" and "%".
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const q = (params.get("q") || "").trim();
  const type = KINDS.some(([kind]) => kind === params.get("type")) ? params.get("type") || "" : "";
  const input = document.getElementById("search-q");
  if (input) input.value = q;
  main.append(h("h1", {}, q ? `Results for \u201c${q}\u201d` : "Search"));
  if (!q) {
    main.append(h("p.hint", {}, "Type what you are looking for in the search box: a product, a brand, a person, an interest or words from a post."));
    return;
  }
  main.append(
    h(
      "nav.chips.filters",
      { "aria-label": "Show" },
      KINDS.map(([kind, label]) =>
        h("a.chip", { href: `#${searchPath(q, kind)}`, "aria-current": kind === type ? "page" : null }, label),
      ),
    ),
  );
  const sections = {};
  const section = (kind, title, body) => {
    const el = h("section.results", { "aria-label": title, hidden: true }, h("h2", {}, title), body);
    sections[kind] = el;
    main.append(el);
    return body;
  };
  const interests = section("interest", "Interests", h("div.chips"));
  const people = section("member", "People", h("ul.people"));
  const products = section("product", "Products", h("ul.product-list"));
  const postsBody = section("post", "Posts", h("div"));
  const grid = new Masonry(postsBody);
  const render = (hit) => {
    sections[hit.type].hidden = false;
    if (hit.type === "interest") {
      interests.append(h("a.chip", { href: `#/interest/${encodeURIComponent(hit.interest.id)}` }, hit.interest.name));
    } else if (hit.type === "member") {
      const member = hit.member;
      people.append(
        h("li", {}, h("a.person", { href: `#/user/${encodeURIComponent(member.id)}` }, avatar(member, 40), h("span", {}, member.display_name)), badges(member.badges)),
      );
    } else if (hit.type === "product") {
      const product = hit.product;
      products.append(
        h(
          "li",
          {},
          h(
            "a.product-row",
            { href: `#/product/${encodeURIComponent(product.id)}` },
            product.image_url ? h("img", { src: product.image_url, alt: "", width: 56, height: 56, loading: "lazy" }) : h("span.thumb"),
            h("span", {}, h("strong", {}, product.title), h("span.hint", {}, ` ${product.brand_name} · ${formatPrice(product.price)}`)),
          ),
        ),
      );
    } else {
      grid.add(hit.post, []);
    }
  };
  const stop = infinite(
    main,
    (cursor) => api("GET", searchPath(q, type, { limit: "20", ...(cursor ? { cursor } : {}) })),
    render,
    { empty: `Nothing matches \u201c${q}\u201d. Try fewer or shorter words.` },
  );
  return () => {
    stop();
    grid.destroy();
  };
}
