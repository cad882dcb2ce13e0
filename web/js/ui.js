// DOM helpers and the pieces every page shares: toasts, feed cards, the masonry grid,
// infinite scroll, image sources.

import { api, askToSignIn, canJoinPrime, followedBrandNames, joinPrime, signedIn, state } from "./api.js";
import { trackImpressions } from "./events.js";

/** h("a.card", {href}, child, ...) builds an element; strings become text nodes. */
export function h(tag, attrs = {}, ...children) {
  const [name, ...classes] = tag.split(".");
  const el = document.createElement(name);
  if (classes.length) el.className = classes.join(" ");
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "style" && typeof value === "object") {
      for (const [property, v] of Object.entries(value)) {
        if (property.startsWith("--")) el.style.setProperty(property, v);
        else el.style[property] = v;
      }
    }
    else if (key === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Navigate to a hash route (re-rendering when it is the current one). */
export function go(path) {
  if (location.hash === `#${path}`) dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = path;
}

/** The shopping-bag icon (inline SVG: no emoji font needed). */
export function bagIcon() {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", "icon");
  svg.setAttribute("aria-hidden", "true");
  svg.innerHTML = '<path d="M7 8V7a5 5 0 0 1 10 0v1h3l-1 14H5L4 8h3zm2 0h6V7a3 3 0 0 0-6 0v1z"/>';
  return svg;
}

export function toast(message, kind = "info") {
  const el = h(`div.toast.${kind}`, {}, message);
  document.getElementById("toasts").append(el);
  setTimeout(() => el.remove(), kind === "error" ? 7000 : 3500);
}

export function showError(error) {
  toast(error.message || String(error), "error");
}

export function errorBox(error) {
  return h("div.panel.error", { role: "alert" }, h("strong", {}, "Something went wrong. "), error.message || String(error));
}

export const formatPrice = (price) =>
  price ? new Intl.NumberFormat(undefined, { style: "currency", currency: price.currency }).format(Number(price.amount)) : "";

export const interestName = (id) => state.interestNames.get(id) || id;

/**
 * Where "View in shop" goes: the deployment's shop (GET /config `shop_url_template`, with
 * {product_id} and {url}); on the local stack, which has no shop, Flint's own product page; else
 * the brand's own link.
 */
export function shopUrl(product) {
  const template = state.config && state.config.shop_url_template;
  const id = product.id || product.product_id;
  if (template) return template.replaceAll("{product_id}", encodeURIComponent(id)).replaceAll("{url}", encodeURIComponent(product.url));
  if (state.localHelpers) return `#/product/${encodeURIComponent(id)}`;
  return product.url;
}

/**
 * A Follow / Following toggle (members and brands): `change(following)` calls the API and
 * resolves to the new state; anonymous visitors are asked to sign in.
 */
export function followButton(following, change) {
  const button = h("button.btn.primary", { type: "button", "aria-pressed": String(following) });
  const draw = () => {
    button.textContent = following ? "Following" : "Follow";
    button.setAttribute("aria-pressed", String(following));
  };
  draw();
  button.addEventListener("click", async () => {
    if (!signedIn()) return askToSignIn();
    button.disabled = true;
    try {
      following = await change(following);
    } catch (error) {
      showError(error);
    } finally {
      button.disabled = false;
      draw();
    }
  });
  return button;
}

export function badges(list) {
  return (list || []).map((b) => h("span.badge", { title: b === "enthusiast" ? "Enthusiast: among the most-smiled contributors" : b }, b === "enthusiast" ? "Enthusiast" : b));
}

/** `srcset` from the renditions (small/medium/large), widest last. */
export function srcset(thumbnails) {
  return Object.values(thumbnails || {})
    .sort((a, b) => a.width - b.width)
    .map((t) => `${t.url} ${t.width}w`)
    .join(", ");
}

/**
 * The photo `img` inside a <picture> whose AVIF source (each size's `avif_url`, API.md), then WebP
 * source (`webp_url`), browsers that take them fetch instead of the JPEG: fewer bytes a card (the
 * browser takes the first source whose type it decodes). Photos without copies (older ones) keep
 * the bare `img`.
 */
export function pictured(img, thumbnails, sizes) {
  const list = Object.values(thumbnails || {}).sort((a, b) => a.width - b.width);
  const candidates = (field) => list.filter((t) => t[field]).map((t) => `${t[field]} ${t.width}w`).join(", ");
  const sources = [
    ["image/avif", candidates("avif_url")],
    ["image/webp", candidates("webp_url")],
  ].filter(([, srcset]) => srcset);
  if (!sources.length) return img;
  return h("picture", {}, ...sources.map(([type, srcset]) => h("source", { type, srcset, sizes })), img);
}

export function smallest(thumbnails, atLeast = 0) {
  const list = Object.values(thumbnails || {}).sort((a, b) => a.width - b.width);
  return list.find((t) => t.width >= atLeast) || list[list.length - 1];
}

/** Alt text: the caption plus the names of the tagged products. */
export function altText(post, photo) {
  const products = (photo?.tags || []).map((t) => t.title);
  return products.length ? `${post.caption}. Tagged: ${products.join(", ")}` : post.caption;
}

export function reasonText(reason, post) {
  const [kind, value] = reason.split(/:(.*)/s);
  if (kind === "following") {
    const name = post.author.id === value ? post.author.display_name : "someone you follow";
    return `Because you follow ${name}`;
  }
  if (kind === "brand") return followedBrandReason(value);
  if (kind === "featured") return ""; // the card's own "Featured by <brand>" label says it
  if (kind === "interest") return `Popular in ${interestName(value)}`;
  if (kind === "trending") return "Trending now";
  if (kind === "enthusiast") return "From an Enthusiast";
  return "";
}

/** "Because you follow Northpeak", the name linking to the brand's page once it is known. */
function followedBrandReason(brandId) {
  const name = h("a", { href: `#/brands/${encodeURIComponent(brandId)}` }, "a brand");
  followedBrandNames().then((names) => {
    if (names.has(brandId)) name.textContent = names.get(brandId);
  });
  return h("span", {}, "Because you follow ", name);
}

// By affinity (services/ranking.py); the Enthusiast boost is no source of the post: last.
const REASON_ORDER = ["following", "brand", "interest", "trending", "enthusiast"];
const reasonRank = (reason) => {
  const rank = REASON_ORDER.indexOf(reason.split(":")[0]);
  return rank < 0 ? REASON_ORDER.length : rank;
};

/**
 * A feed card. `first`: the card is among the first the page shows, likely on screen at once and
 * its photo the page's largest paint: loaded at once (`eager`; "high" also raises its priority),
 * not when layout finds it near the viewport.
 */
export function card(post, reasons = [], sizes = "320px", first = null, featured = null) {
  const photo = post.photos[0];
  const link = `#/post/${encodeURIComponent(post.id)}`;
  let media;
  if (photo) {
    const small = smallest(photo.thumbnails);
    media = h(
      "a.media",
      { href: link },
      pictured(h("img.photo", {
        src: small?.url,
        srcset: srcset(photo.thumbnails),
        sizes,
        width: photo.width,
        height: photo.height,
        alt: altText(post, photo),
        loading: first ? "eager" : "lazy",
        fetchpriority: first === "high" ? "high" : null,
        decoding: "async",
        style: { backgroundColor: (photo.palette || [])[0] || "#ddd", aspectRatio: `${photo.width} / ${photo.height}` },
      }), photo.thumbnails, sizes),
      post.shop_count
        ? h("span.bag", { title: `${post.shop_count} tagged products` }, bagIcon(), h("span.sr-only", {}, "Tagged products: "), String(post.shop_count))
        : null,
    );
  } else {
    media = h("a.text-only", { href: link }, post.kind === "idea" ? "💡 " : "📖 ", post.caption);
  }
  // The strongest reason is shown, in the ranking's affinity order (services/ranking.py).
  const reason = [...reasons].sort((a, b) => reasonRank(a) - reasonRank(b)).map((r) => reasonText(r, post)).find(Boolean);
  // A campaign's featured card (GET /feed `featured`): labelled above the photo, and named for
  // assistive technology, so it is never mistaken for an organic post.
  const sponsor = featured
    ? h(
        "div.featured-label",
        {},
        "Featured by ",
        h("a", { href: `#/brands/${encodeURIComponent(featured.brand_id)}` }, featured.brand_name),
      )
    : null;
  return h(
    featured ? "article.card.featured" : "article.card",
    featured ? { dataset: { postId: post.id }, "aria-label": `Featured by ${featured.brand_name}: ${post.caption}` } : { dataset: { postId: post.id } },
    sponsor,
    media,
    h(
      "div.body",
      {},
      photo ? h("p.caption", {}, post.caption) : null,
      h(
        "div.meta",
        {},
        h("span", {}, h("a.author", { href: `#/user/${encodeURIComponent(post.author.id)}` }, post.author.display_name), badges(post.author.badges)),
        h("span.smiles", { title: "Smiles" }, "☺ ", h("span.sr-only", {}, "Smiles: "), String(post.smile_count)),
      ),
      reason ? h("div.reason", {}, reason) : null,
    ),
  );
}

/**
 * A waterfall grid: each card goes to the currently shortest column. One card per post: a page
 * that repeats posts already shown (a feed restarted after its cursor expired, a fresher feed's
 * first page) adds only the new ones.
 */
export class Masonry {
  constructor(container) {
    this.container = container;
    this.root = h("section.masonry", { "aria-label": "Posts" });
    container.append(this.root);
    this.entries = [];
    this.shown = new Set();
    this.columns = [];
    this.layout();
    this.onResize = () => {
      if (this.columnCount() !== this.columns.length) this.layout();
    };
    window.addEventListener("resize", this.onResize);
  }

  columnCount() {
    const width = this.container.clientWidth || window.innerWidth;
    return Math.max(2, Math.min(5, Math.floor(width / 260)));
  }

  sizes() {
    const width = this.container.clientWidth || window.innerWidth;
    return `${Math.ceil(width / this.columnCount())}px`;
  }

  layout() {
    this.root.replaceChildren();
    this.columns = Array.from({ length: this.columnCount() }, () => {
      const col = h("div.col");
      this.root.append(col);
      return { el: col, height: 0 };
    });
    const entries = this.entries;
    this.entries = [];
    this.shown.clear();
    for (const entry of entries) this.add(entry.post, entry.reasons, entry.featured);
  }

  has(postId) {
    return this.shown.has(postId);
  }

  /**
   * Put these posts ({post, reasons}) on top, in their order, as new rows across the columns:
   * the cards already shown keep their columns and order (they only move down).
   */
  prepend(items) {
    const fresh = items.filter((item) => !this.shown.has(item.post.id));
    fresh.forEach((item, index) => {
      const column = this.columns[index % this.columns.length];
      const row = Math.floor(index / this.columns.length);
      this.place(item.post, item.reasons, column, column.el.children[row] || null, item.featured);
    });
    this.entries = [...fresh, ...this.entries];
    return fresh.length;
  }

  /** The card of a new post, in the shortest column; null when the grid already shows it. */
  add(post, reasons, featured = null) {
    if (this.shown.has(post.id)) return null;
    const column = this.columns.reduce((a, b) => (b.height < a.height ? b : a));
    const el = this.place(post, reasons, column, null, featured);
    this.entries.push({ post, reasons, featured });
    return el;
  }

  place(post, reasons, column, before, featured = null) {
    const photo = post.photos[0];
    // The first row of a new grid at high priority, the second eagerly, the rest lazily.
    const rank = this.shown.size / this.columns.length;
    const el = card(post, reasons, this.sizes(), rank < 1 ? "high" : rank < 2 ? "eager" : null, featured);
    column.el.insertBefore(el, before);
    column.height += photo ? photo.height / photo.width + 0.35 : 0.6;
    this.shown.add(post.id);
    trackImpressions(el, post.id, post.receipt);
    return el;
  }

  destroy() {
    window.removeEventListener("resize", this.onResize);
  }
}

/**
 * Infinite scroll over cursor pages: `load(cursor)` returns {items, next_cursor}; `render(item)`
 * draws one. Loads the next page when the sentinel nears the viewport.
 */
export function infinite(container, load, render, { empty = "Nothing here yet." } = {}) {
  const sentinel = h("div.sentinel", { "aria-hidden": "true" });
  const status = h("p.loading", { role: "status" }, "Loading…");
  container.append(sentinel, status);
  let cursor = null;
  let done = false;
  let busy = false;
  let count = 0;
  const more = async () => {
    if (busy || done) return;
    busy = true;
    try {
      const page = await load(cursor);
      page.items.forEach(render);
      count += page.items.length;
      cursor = page.next_cursor;
      done = !cursor;
      status.textContent = done ? (count ? "You're all caught up." : empty) : "Loading…";
    } catch (error) {
      if (error.code === "cursor_expired") {
        cursor = null; // the feed was refreshed long ago: start over
      } else {
        done = true;
        status.replaceWith(errorBox(error));
      }
    } finally {
      busy = false;
    }
    if (!done && sentinel.isConnected && sentinel.getBoundingClientRect().top < window.innerHeight + 800) more();
  };
  const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && more(), {
    rootMargin: "800px 0px",
  });
  observer.observe(sentinel);
  more();
  return () => observer.disconnect();
}

export function initials(name) {
  return (name || "?").trim().slice(0, 1).toUpperCase();
}

/** The member's avatar: their smallest thumbnail, or their initial on a coloured disc. */
export function avatar(profile, size = 72) {
  const small = profile.avatar ? smallest(profile.avatar, size) : null;
  const url = small ? small.url : profile.avatar_url;
  if (url) return h("img.avatar", { src: url, alt: "", width: size, height: size, style: { width: `${size}px`, height: `${size}px` } });
  return h("div.avatar", { "aria-hidden": "true", style: { width: `${size}px`, height: `${size}px`, fontSize: `${size / 40}rem` } }, initials(profile.display_name));
}

/**
 * A modal dialog (the native <dialog>: focus stays inside, Escape closes it, focus returns to
 * what opened it). `build(close)` returns its content; resolves with what `close(value)` got.
 */
export function dialog(label, build) {
  return new Promise((resolve) => {
    const opener = document.activeElement;
    const box = h("dialog.modal", { "aria-label": label });
    const close = (value) => {
      box.close();
      box.remove();
      if (opener && opener.focus) opener.focus();
      resolve(value);
    };
    box.addEventListener("cancel", (event) => {
      event.preventDefault();
      close(null);
    });
    box.append(...[build(close)].flat());
    document.body.append(box);
    box.showModal();
  });
}

const PRIME_PERKS = "Prime members post photos, stories and ideas, smile at posts and comment.";

/**
 * Every action gated on Prime explains why and offers to join. Resolves true when the member is
 * Prime now (the caller then retries or re-renders); false otherwise. Visitors are asked to sign in
 * first, and come back here afterwards.
 */
export async function primeGate(action) {
  if (!signedIn()) {
    askToSignIn();
    return false;
  }
  return dialog("Join Prime", (close) => {
    const status = h("p.error", { role: "alert" });
    const join = h("button.btn.primary", { type: "button" }, state.localHelpers ? "Join Prime (local demo)" : "Join Prime");
    join.addEventListener("click", async () => {
      join.disabled = true;
      status.textContent = "";
      try {
        if (await joinPrime()) {
          toast("Welcome to Prime!");
          close(true);
        }
      } catch (error) {
        status.textContent = error.message;
        join.disabled = false;
      }
    });
    return [
      h("h2", {}, `${action} is for Prime members`),
      h("p", {}, PRIME_PERKS),
      canJoinPrime()
        ? h("p.hint", {}, state.localHelpers ? "On this local stack, joining is free and takes one click." : "You will come back here once you have joined.")
        : h("p.hint", {}, "Prime is not offered on this site yet."),
      status,
      h("div.row", {}, canJoinPrime() ? join : null, h("button.btn", { type: "button", onclick: () => close(false) }, "Not now")),
    ];
  });
}

export const REPORT_REASONS = [
  ["spam", "Spam or scam"],
  ["harassment", "Harassment or bullying"],
  ["hate", "Hate speech or symbols"],
  ["nudity", "Nudity or sexual content"],
  ["violence", "Violence or threats"],
  ["self_harm", "Self-harm"],
  ["misinformation", "False information"],
  ["intellectual_property", "Someone else's work"],
  ["other", "Something else"],
];

/** Report a post, comment or member: a reason, optionally a few words. */
export function reportDialog(target, what) {
  if (!signedIn()) return askToSignIn();
  return dialog(`Report ${what}`, (close) => {
    const reason = h("select", { name: "reason", required: true }, REPORT_REASONS.map(([value, label]) => h("option", { value }, label)));
    const text = h("textarea", { name: "text", maxlength: 500, rows: 3 });
    const status = h("p.error", { role: "alert" });
    const form = h(
      "form.stack",
      {
        onsubmit: async (event) => {
          event.preventDefault();
          status.textContent = "";
          const payload = { target, reason: reason.value };
          if (text.value.trim()) payload.text = text.value;
          try {
            await api("POST", "/reports", payload);
            toast("Thanks for telling us: a moderator will look at it.");
            close(true);
          } catch (error) {
            status.textContent = error.message;
          }
        },
      },
      h("h2", {}, `Report ${what}`),
      h("label", {}, "What is wrong?", reason),
      h("label", {}, "Anything to add? (optional; needed for \u201cSomething else\u201d)", text),
      status,
      h("div.row", {}, h("button.btn.primary", { type: "submit" }, "Send report"), h("button.btn", { type: "button", onclick: () => close(false) }, "Cancel")),
    );
    return form;
  });
}
