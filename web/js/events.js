// Engagement events (API.md "Engagement events"): impressions, hotspot taps and product
// clicks are queued and sent to POST /events in batches of up to 100, each with a fresh
// `batch_id` (a retry of the same batch reuses it, so the server counts it once). Each event
// carries the `receipt` of the card or page it came from (an event without one never counts, so
// none is sent) and the `channel` it happened in, from the page's route (channelOf). The queue
// is flushed every 10 s, at 50 events and when the page is hidden. It stops if the route
// answers 404 (an API without it).

import { api } from "./api.js";

const queue = [];
const seen = new Set();
let enabled = true;
let timer = null;

function batchId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

// Where an event happens, for the brand's channel breakdown (API.md POST /events `channel`).
const CHANNELS = [
  [/^#\/post\//, "post"],
  [/^#\/user\//, "profile"],
  [/^#\/interest\//, "interest"],
  [/^#\/product\//, "product"],
  [/^#\/brands\//, "brand_page"],
];

export function channelOf(hash) {
  for (const [pattern, channel] of CHANNELS) if (pattern.test(hash || "")) return channel;
  return "feed";
}

export function track(type, postId, productId, receipt, channel = channelOf(location.hash)) {
  if (!enabled || !receipt) return;
  const event = { type, post_id: postId, receipt, channel };
  if (productId) event.product_id = productId;
  queue.push(event);
  if (queue.length >= 50) flush();
  else if (!timer) timer = setTimeout(flush, 10_000);
}

export async function flush({ keepalive = false } = {}) {
  clearTimeout(timer);
  timer = null;
  if (!enabled || !queue.length) return;
  const events = queue.splice(0, 100);
  const batch = { batch_id: batchId(), events };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await api("POST", "/events", batch, { keepalive });
      break;
    } catch (error) {
      if (error.status === 404) {
        enabled = false; // no events route on this API
        queue.length = 0;
        return;
      }
      if (error.status && error.status < 500 && error.status !== 429) return; // bad batch: drop it
    }
  }
  if (queue.length) flush({ keepalive });
}

const observer =
  "IntersectionObserver" in window
    ? new IntersectionObserver(
        (entries) => {
          for (const entry of entries) {
            if (!entry.isIntersecting) continue;
            const { postId, receipt } = entry.target.dataset;
            observer.unobserve(entry.target);
            if (seen.has(postId)) continue;
            seen.add(postId);
            track("impression", postId, null, receipt);
          }
        },
        { threshold: 0.5 },
      )
    : null;

/** One impression per post per page view, once half the card is on screen. */
export function trackImpressions(el, postId, receipt) {
  if (!observer || !receipt) return;
  el.dataset.postId = postId;
  el.dataset.receipt = receipt;
  observer.observe(el);
}

export function resetImpressions() {
  seen.clear();
}

addEventListener("pagehide", () => flush({ keepalive: true }));
document.addEventListener("visibilitychange", () => document.visibilityState === "hidden" && flush({ keepalive: true }));
