// The brand dashboard's "Mentions" block: photos that likely show the brand's products without
// tagging them (GET /brands/{id}/mentions), each with its confidence and a "Suggest tag" button
// that asks the author to tag the product where it was found (POST /brands/{id}/tag-suggestions).

import { api } from "../api.js";
import { h, showError, smallest, toast } from "../ui.js";

const STATUS = { pending: "Suggestion sent", accepted: "Tagged by the author", declined: "Declined by the author" };

export function mentionsSection(brand) {
  const base = `/brands/${encodeURIComponent(brand.id)}`;
  const list = h("ul.mentions", { "aria-label": "Untagged mentions" });
  const more = h("button.secondary", { type: "button", hidden: true }, "More");
  let cursor = null;
  const load = async () => {
    more.disabled = true;
    try {
      const page = await api("GET", `${base}/mentions?limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      if (!cursor && !page.items.length) list.replaceChildren(h("li.hint", {}, "No untagged photos of your products found yet."));
      page.items.forEach((m) => list.append(mentionItem(base, m)));
      cursor = page.next_cursor;
      more.hidden = !cursor;
    } catch (error) {
      showError(error);
    } finally {
      more.disabled = false;
    }
  };
  more.addEventListener("click", load);
  load();
  return h(
    "section",
    { "aria-label": "Mentions" },
    h("div.section-head", {}, h("h3", {}, "Mentions")),
    h("p.hint", {}, "Photos that likely show your products but do not tag them. Suggest the tag: the author decides."),
    list,
    more,
  );
}

function mentionItem(base, m) {
  const photo = m.post.photos[0];
  const thumb = photo ? smallest(photo.thumbnails, 160) : null;
  const state = h("span.hint", {}, m.suggestion ? STATUS[m.suggestion] : "");
  const button = h("button", { type: "button", hidden: Boolean(m.suggestion) }, "Suggest tag");
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await api("POST", `${base}/tag-suggestions`, { post_id: m.post.id, product_id: m.product_id, x: m.x, y: m.y });
      button.hidden = true;
      state.textContent = STATUS.pending;
      toast("Tag suggestion sent");
    } catch (error) {
      button.disabled = false;
      showError(error);
    }
  });
  return h(
    "li.mention",
    { "data-post": m.post.id },
    h("a", { href: `#/post/${encodeURIComponent(m.post.id)}` }, thumb ? h("img", { src: thumb.url, alt: m.post.caption, width: 80, loading: "lazy" }) : m.post.caption),
    h("span", {}, h("strong", {}, m.product_title), ` · ${Math.round(m.confidence * 100)}% match · by ${m.post.author.display_name}`),
    button,
    state,
  );
}
