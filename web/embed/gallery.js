// The embedded shoppable gallery (embed/gallery.html?id=<gallery id>, framed by embed.js on a
// brand's site). It reads GET /galleries/{id} with an anonymous session (POST /sessions), so every
// post carries a receipt, and draws the posts in the brand's order with their hotspots: a tap on
// one opens the product (title, price, a link to the shop). Impressions (once per post, when half
// of it is on screen), hotspot taps and product clicks go to POST /events with the post's receipt
// and `channel: "gallery"`, so insights count them under their own channel.
// Self-contained (no SPA modules): it is the only Flint code a brand's visitors load.

const config = window.FLINT_CONFIG || {};
const API = (new URLSearchParams(location.search).get("api") || config.api || `${location.protocol}//${location.hostname}:8000`).replace(/\/$/, "");
const SESSION_KEY = "flint.embed.session";
const CHANNEL = "gallery";
const galleryId = new URLSearchParams(location.search).get("id");
const main = document.getElementById("gallery");

function h(tag, attrs = {}, ...children) {
  const [name, ...classes] = tag.split(".");
  const el = document.createElement(name);
  if (classes.length) el.className = classes.join(" ");
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  el.append(...children.flat().filter((c) => c !== null && c !== undefined));
  return el;
}

async function call(method, path, body, session) {
  const headers = {};
  if (body) headers["Content-Type"] = "application/json";
  if (session) headers["X-Flint-Session"] = session;
  const response = await fetch(`${API}${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined, keepalive: method === "POST" });
  if (!response.ok) throw Object.assign(new Error(`HTTP ${response.status}`), { status: response.status });
  return response.status === 204 ? null : response.json();
}

/** The visitor's anonymous session (a day), so shown posts carry receipts; none if it fails. */
async function anonymousSession() {
  try {
    const kept = JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
    if (kept && Date.parse(kept.expires_at) - Date.now() > 60_000) return kept.session;
  } catch {
    // storage may be off in a third-party frame: ask for one
  }
  try {
    const fresh = await call("POST", "/sessions");
    try {
      sessionStorage.setItem(SESSION_KEY, JSON.stringify(fresh));
    } catch {
      // not kept: a reload asks again
    }
    return fresh.session;
  } catch {
    return null;
  }
}

// ---- events: queued, sent in one batch a couple of seconds later or when the page is hidden ----
const queue = [];
let timer = null;
let session = null;

function track(type, post, productId) {
  if (!post.receipt) return; // an event without a receipt never counts: not sent
  const event = { type, post_id: post.id, receipt: post.receipt, channel: CHANNEL };
  if (productId) event.product_id = productId;
  queue.push(event);
  if (!timer) timer = setTimeout(flush, 2000);
}

function flush() {
  clearTimeout(timer);
  timer = null;
  if (!queue.length) return;
  const batchId = crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  call("POST", "/events", { batch_id: batchId, events: queue.splice(0, 100) }, session).catch(() => {});
}

addEventListener("pagehide", flush);
document.addEventListener("visibilitychange", () => document.visibilityState === "hidden" && flush());

const seen = new Set();
const observer =
  "IntersectionObserver" in window
    ? new IntersectionObserver(
        (entries) => {
          for (const entry of entries) {
            if (!entry.isIntersecting) continue;
            observer.unobserve(entry.target);
            const post = entry.target.flintPost;
            if (!seen.has(post.id)) {
              seen.add(post.id);
              track("impression", post);
            }
          }
        },
        { threshold: 0.5 },
      )
    : null;

// ---- drawing ----
const money = (price) => {
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency: price.currency }).format(Number(price.amount));
  } catch {
    return `${price.amount} ${price.currency}`;
  }
};

function rendition(thumbnails) {
  const all = Object.values(thumbnails || {}).sort((a, b) => a.width - b.width);
  return all.find((r) => r.width >= 480) || all[all.length - 1] || null;
}

function tile(post) {
  const photo = post.photos[0];
  const picture = photo && rendition(photo.thumbnails);
  const product = h("div.product", { hidden: true });
  const spots = [];
  const frame = h("div.photo");
  if (picture) frame.append(h("img", { src: picture.url, width: picture.width, height: picture.height, alt: post.caption, loading: "lazy" }));
  for (const [i, tag] of (photo ? photo.tags : []).entries()) {
    const spot = h("button.hotspot", { type: "button", "aria-expanded": "false", "aria-label": `Product: ${tag.title}`, "data-product-id": tag.product_id }, String(i + 1));
    spot.style.left = `${(100 * tag.x).toFixed(2)}%`;
    spot.style.top = `${(100 * tag.y).toFixed(2)}%`;
    spot.addEventListener("click", () => {
      const opening = spot.getAttribute("aria-expanded") !== "true";
      spots.forEach((s) => s.setAttribute("aria-expanded", "false"));
      product.hidden = !opening;
      if (!opening) return;
      spot.setAttribute("aria-expanded", "true");
      const link = h("a", { href: tag.url, target: "_blank", rel: "noopener noreferrer" }, "Shop");
      link.addEventListener("click", () => {
        track("product_click", post, tag.product_id);
        flush();
      });
      product.replaceChildren(h("span", {}, h("strong", {}, tag.title), " ", money(tag.price)), link);
      track("tag_click", post, tag.product_id);
    });
    spots.push(spot);
    frame.append(spot);
  }
  const figure = h(
    "figure.tile",
    { "data-post-id": post.id },
    frame,
    product,
    h("figcaption", {}, post.caption, h("span.credit", {}, `Photo: ${post.author.display_name}`)),
  );
  figure.flintPost = post;
  if (observer) observer.observe(figure);
  else track("impression", post);
  return figure;
}

function tellHeight() {
  if (parent !== window) parent.postMessage({ flintGalleryHeight: document.documentElement.scrollHeight }, "*");
}

async function show() {
  if (!galleryId) {
    main.replaceChildren(h("p.hint", {}, "No gallery named."));
    return;
  }
  session = await anonymousSession();
  try {
    const gallery = await call("GET", `/galleries/${encodeURIComponent(galleryId)}`, null, session);
    main.replaceChildren(
      h("div.gallery-head", {}, h("h1", {}, gallery.name), h("p.hint", {}, `Shop ${gallery.brand.name} · photos by the Flint community`)),
      gallery.posts.length ? h("div.grid", {}, gallery.posts.map(tile)) : h("p.hint", {}, "Nothing to show yet."),
    );
  } catch (error) {
    main.replaceChildren(h("p.hint", {}, error.status === 404 ? "This gallery is not available." : "The gallery could not be loaded."));
  }
  tellHeight();
  if ("ResizeObserver" in window) new ResizeObserver(tellHeight).observe(document.body);
}

show();
