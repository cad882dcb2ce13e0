// Rights & galleries, a section of the brand dashboard (issue 22): ask a post's author for the
// rights to feature it (from the dashboard's top creatives, or by post id), follow each request's
// status, build a shoppable gallery from the approved posts (in the order chosen), and copy the
// snippet that embeds it on the brand's own site (embed/gallery.html in an iframe; embed.js does
// the same and sizes it). A preview opens the demo brand site (embed-demo.html) with the gallery.

import { api } from "../api.js";
import { errorBox, h, showError, smallest, toast } from "../ui.js";

const DEFAULT_TERMS =
  "We would like to show this photo in our shoppable gallery on our website and in our newsletter for 12 months, credited to you. You can withdraw your approval at any time.";
const STATUS_TEXT = { pending: "Waiting for the author", approved: "Approved", declined: "Declined", withdrawn: "Withdrawn" };

const thumb = (post, alt = post.caption) => {
  const photo = post.photos && post.photos[0];
  const picture = photo ? smallest(photo.thumbnails, 160) : null;
  return picture
    ? h("img.rights-thumb", { src: picture.url, alt, width: picture.width, height: picture.height, loading: "lazy" })
    : h("span.rights-thumb.text", {}, post.caption);
};

/** The iframe snippet a brand pastes on its site (works under any CSP that allows frames). */
export function embedSnippet(galleryId, origin = location.origin) {
  const src = `${origin}/embed/gallery.html?id=${encodeURIComponent(galleryId)}`;
  return `<iframe src="${src}" title="Shoppable gallery" loading="lazy" width="100%" height="520" style="border:0"></iframe>`;
}

export function rightsSection(brand, topPosts = []) {
  const base = `/brands/${encodeURIComponent(brand.id)}`;
  const section = h("section.rights", { "aria-label": "Rights & galleries" }, h("div.section-head", {}, h("h3", {}, "Rights & galleries")));
  const terms = h("textarea", { name: "terms", rows: 3, maxlength: 1000, required: true }, DEFAULT_TERMS);
  const requests = h("div.rights-requests");
  const galleries = h("div.galleries");
  const builder = h("div.gallery-builder");
  let approved = []; // approved requests' posts, newest first

  async function ask(postId, button) {
    if (button) button.disabled = true;
    try {
      await api("POST", `${base}/rights-requests`, { post_id: postId, terms: terms.value });
      toast("Rights requested: the author sees your terms in their inbox.");
      if (button) button.replaceWith(h("span.status.pending", {}, STATUS_TEXT.pending));
      await loadRequests();
    } catch (error) {
      if (button) button.disabled = false;
      showError(error);
    }
  }

  const candidates = topPosts
    .map((t) => t.post)
    .filter(Boolean)
    .map((post) =>
      h(
        "li.rights-candidate",
        { "data-post-id": post.id },
        thumb(post),
        h("span", {}, post.caption, h("small.hint", {}, ` by ${post.author.display_name}`)),
        h("button.btn.small", { type: "button", onclick: (event) => ask(post.id, event.currentTarget) }, "Request rights"),
      ),
    );
  const byId = h("input", { type: "text", name: "post_id", placeholder: "post_…", "aria-label": "Post id", pattern: "[A-Za-z0-9_-]{1,128}", required: true });
  const askForm = h(
    "form.row.rights-by-id",
    {
      onsubmit: (event) => {
        event.preventDefault();
        ask(byId.value.trim()).then(() => (byId.value = ""));
      },
    },
    h("label.inline", {}, "Or a post by id ", byId),
    h("button.btn.small", { type: "submit" }, "Request rights"),
  );

  async function loadRequests() {
    try {
      const page = await api("GET", `${base}/rights-requests?limit=50`);
      approved = page.items.filter((r) => r.status === "approved" && r.post);
      requests.replaceChildren(
        page.items.length
          ? h(
              "ul.rights-list",
              { "aria-label": "Rights requests" },
              page.items.map((r) =>
                h(
                  "li",
                  { "data-post-id": r.post_id, "data-status": r.status },
                  r.post ? thumb(r.post) : h("span.rights-thumb.text", {}, "Post gone"),
                  h(
                    "span",
                    {},
                    r.post ? h("span.caption", {}, r.post.caption, " ") : null,
                    h(`span.status.${r.status}`, {}, STATUS_TEXT[r.status] || r.status),
                    h("small.hint", {}, ` asked ${new Date(r.requested_at).toLocaleDateString()}`),
                  ),
                ),
              ),
            )
          : h("p.hint", {}, "No requests yet: ask an author from your top creatives above."),
      );
      drawBuilder(null);
    } catch (error) {
      requests.replaceChildren(errorBox(error));
    }
  }

  async function loadGalleries() {
    try {
      const page = await api("GET", `${base}/galleries?limit=20`);
      galleries.replaceChildren(
        ...page.items.map((g) => {
          const snippet = h("textarea.snippet", { readonly: true, rows: 2, "aria-label": `Embed snippet for ${g.name}` }, embedSnippet(g.id));
          return h(
            "div.gallery-row",
            { "data-gallery-id": g.id },
            h("strong", {}, g.name),
            h("small.hint", {}, ` ${g.post_ids.length} ${g.post_ids.length === 1 ? "post" : "posts"}`),
            snippet,
            h(
              "div.row",
              {},
              h(
                "button.btn.small",
                {
                  type: "button",
                  onclick: async () => {
                    snippet.select();
                    try {
                      await navigator.clipboard.writeText(snippet.value);
                      toast("Embed snippet copied.");
                    } catch {
                      toast("Press Ctrl+C (or Cmd+C) to copy the selected snippet.");
                    }
                  },
                },
                "Copy embed snippet",
              ),
              h("a.btn.small", { href: `/embed-demo.html?gallery=${encodeURIComponent(g.id)}`, target: "_blank", rel: "noopener" }, "Preview on a demo site"),
              h("button.btn.small", { type: "button", onclick: () => drawBuilder(g) }, "Edit"),
            ),
          );
        }),
      );
    } catch (error) {
      galleries.replaceChildren(errorBox(error));
    }
  }

  /** The builder: approved posts to pick, the picked ones in order (up / down), a name. */
  function drawBuilder(editing) {
    const chosen = editing ? editing.post_ids.filter((id) => approved.some((r) => r.post_id === id)) : [];
    const name = h("input", { type: "text", name: "gallery_name", required: true, maxlength: 100, value: editing ? editing.name : "", placeholder: "Summer on the trail", "aria-label": "Gallery name" });
    const picks = h("div.gallery-picks");
    const order = h("ol.gallery-order", { "aria-label": "Gallery order" });
    const postOf = (id) => approved.find((r) => r.post_id === id).post;
    const redraw = () => {
      picks.replaceChildren(
        ...approved.map((r) =>
          h(
            "label.pick",
            {},
            h("input", {
              type: "checkbox",
              value: r.post_id,
              checked: chosen.includes(r.post_id),
              onchange: (event) => {
                if (event.target.checked) chosen.push(r.post_id);
                else chosen.splice(chosen.indexOf(r.post_id), 1);
                redraw();
              },
            }),
            thumb(r.post, `Add to the gallery: ${r.post.caption}`),
          ),
        ),
      );
      const move = (i, by) => {
        const [id] = chosen.splice(i, 1);
        chosen.splice(i + by, 0, id);
        redraw();
      };
      order.replaceChildren(
        ...chosen.map((id, i) =>
          h(
            "li",
            {},
            postOf(id).caption,
            " ",
            h("button.btn.small", { type: "button", disabled: i === 0, "aria-label": "Move up", onclick: () => move(i, -1) }, "↑"),
            h("button.btn.small", { type: "button", disabled: i === chosen.length - 1, "aria-label": "Move down", onclick: () => move(i, 1) }, "↓"),
          ),
        ),
      );
    };
    redraw();
    const form = h(
      "form.stack.gallery-form",
      {
        onsubmit: async (event) => {
          event.preventDefault();
          try {
            const body = { name: name.value, post_ids: chosen };
            if (editing) await api("PUT", `${base}/galleries/${encodeURIComponent(editing.id)}`, body);
            else await api("POST", `${base}/galleries`, body);
            toast(editing ? "Gallery saved." : "Gallery created.");
            drawBuilder(null);
            await loadGalleries();
          } catch (error) {
            showError(error);
          }
        },
      },
      h("h4", {}, editing ? `Edit “${editing.name}”` : "New gallery"),
      h("label", {}, "Name", name),
      approved.length ? h("p.hint", {}, "Approved posts: tick to add; the gallery shows them in the order below.") : h("p.hint", {}, "Posts appear here once their authors approve."),
      picks,
      order,
      h("button.btn.primary", { type: "submit" }, editing ? "Save gallery" : "Create gallery"),
    );
    builder.replaceChildren(form);
  }

  const blocks = [
    h("p.hint", {}, "Ask authors for the rights to feature their posts; only approved posts can go into a gallery or a campaign's featured slot."),
    h("label", {}, "Terms shown to the author", terms),
    candidates.length ? h("ul.rights-candidates", { "aria-label": "Top creatives to request" }, candidates) : null,
    askForm,
    h("h4", {}, "Requests"),
    requests,
    h("h4", {}, "Galleries"),
    galleries,
    builder,
  ];
  section.append(...blocks.filter(Boolean));
  loadRequests();
  loadGalleries();
  return section;
}
