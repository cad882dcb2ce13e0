// A post: the photo with shopping hotspots, smiles, comments, tagged products.
//
// Hotspots are positioned in percent of a frame that has exactly the photo's aspect ratio
// (the image fills it), so a tag at (x, y) lands on the same spot of the picture at any
// viewport size, portrait or landscape.

import { api, askToSignIn, isPrime, me, signedIn } from "../api.js";
import { track } from "../events.js";
import {
  altText,
  avatar,
  badges,
  bagIcon,
  errorBox,
  formatPrice,
  go,
  h,
  interestName,
  pictured,
  primeGate,
  reportDialog,
  shopUrl,
  showError,
  srcset,
  smallest,
  toast,
} from "../ui.js";

export async function postView(main, postId) {
  const [post, viewer] = await Promise.all([
    api("GET", `/posts/${encodeURIComponent(postId)}`),
    signedIn() ? me().catch(() => null) : null,
  ]);
  const mine = viewer && viewer.id === post.author.id;
  main.append(
    h(
      "div.post",
      {},
      h("section", { "aria-label": "Photos" }, post.photos.map((photo, index) => photoFrame(post, photo, index))),
      h(
        "aside.side",
        {},
        h("h1", {}, post.caption),
        h(
          "div.row",
          {},
          avatar(post.author, 32),
          h("a.author", { href: `#/user/${encodeURIComponent(post.author.id)}` }, post.author.display_name),
          badges(post.author.badges),
          h("span.hint", {}, new Date(post.created_at).toLocaleDateString()),
        ),
        post.body ? h("p.post-body", {}, post.body) : null,
        h(
          "div.chips",
          { "aria-label": "Interests" },
          post.interests.map((id) => h("a.chip", { href: `#/interest/${encodeURIComponent(id)}` }, interestName(id))),
        ),
        h(
          "div.row",
          {},
          smileButton(post),
          mine ? deleteButton(post) : null,
          viewer && !mine
            ? h("button.btn.quiet", { type: "button", onclick: () => reportDialog({ type: "post", id: post.id }, "this post") }, "Report")
            : null,
        ),
        taggedList(post),
        comments(post, viewer),
      ),
    ),
  );
}

function photoFrame(post, photo, index) {
  const ratio = photo.width / photo.height;
  const frame = h("figure.photo-frame", {
    style: { aspectRatio: `${photo.width} / ${photo.height}`, width: `min(100%, calc(75vh * ${ratio}))`, margin: "0 auto 16px" },
    dataset: { photo: String(index) },
  });
  const img = h("img", {
    src: smallest(photo.thumbnails, 640)?.url,
    srcset: srcset(photo.thumbnails),
    sizes: "(max-width: 800px) 100vw, 60vw",
    width: photo.width,
    height: photo.height,
    alt: altText(post, photo),
    style: { backgroundColor: (photo.palette || [])[0] || "#ddd" },
  });
  frame.append(pictured(img, photo.thumbnails, "(max-width: 800px) 100vw, 60vw"));
  if (!photo.tags.length) return frame;

  let openCard = null;
  const closeCard = () => {
    if (openCard) openCard.remove();
    openCard = null;
  };
  const hotspots = photo.tags.map((tag) =>
    h(
      "button.hotspot",
      {
        type: "button",
        style: { left: `${tag.x * 100}%`, top: `${tag.y * 100}%` },
        "aria-label": `${tag.title}, ${formatPrice(tag.price)}`,
        dataset: { productId: tag.product_id, x: String(tag.x), y: String(tag.y) },
        onclick: async (event) => {
          event.stopPropagation();
          closeCard();
          track("tag_click", post.id, tag.product_id, post.receipt);
          openCard = productCard(post, tag, closeCard);
          frame.append(openCard);
          placeCard(openCard, frame, tag);
          // and again once its size settles (price badge, image), so it still fits beside the spot
          const card = openCard;
          new ResizeObserver(() => card.isConnected && placeCard(card, frame, tag)).observe(card);
          openCard.querySelector("a").focus();
        },
      },
    ),
  );
  const toggle = h(
    "button.btn.bag-toggle",
    {
      type: "button",
      "aria-expanded": "false",
      "aria-label": `Show ${post.shop_count} tagged products`,
      onclick: () => {
        const shown = frame.classList.toggle("show-tags");
        toggle.setAttribute("aria-expanded", String(shown));
        if (!shown) closeCard();
        else hotspots[0].focus();
      },
    },
    bagIcon(),
    String(photo.tags.length),
  );
  frame.append(...hotspots, toggle);
  frame.addEventListener("keydown", (event) => event.key === "Escape" && closeCard());
  return frame;
}

/**
 * Put the product card beside its hotspot, never over it: to its right, else its left, else
 * below, else above (the first that fits in the photo; below, overflowing the photo, if none does).
 * Horizontally it stays within the photo, so it never widens a phone's page.
 */
const SPOT_CLEARANCE = 22; // half a hotspot (14 px) plus a gap

function cardPlacement(frameWidth, frameHeight, cardWidth, cardHeight, x, y) {
  const hx = x * frameWidth;
  const hy = y * frameHeight;
  const clampX = (left) => Math.max(4, Math.min(left, frameWidth - cardWidth - 4));
  const clampY = (top) => Math.max(4, Math.min(top, frameHeight - cardHeight - 4));
  const candidates = [
    { side: "right", left: hx + SPOT_CLEARANCE, top: clampY(hy - cardHeight / 2) },
    { side: "left", left: hx - SPOT_CLEARANCE - cardWidth, top: clampY(hy - cardHeight / 2) },
    { side: "below", left: clampX(hx - cardWidth / 2), top: hy + SPOT_CLEARANCE },
    { side: "above", left: clampX(hx - cardWidth / 2), top: hy - SPOT_CLEARANCE - cardHeight },
  ];
  const fits = (c) => c.left >= 0 && c.top >= 0 && c.left + cardWidth <= frameWidth && c.top + cardHeight <= frameHeight;
  return candidates.find(fits) || candidates[2];
}

function placeCard(card, frame, tag) {
  const place = cardPlacement(frame.clientWidth, frame.clientHeight, card.offsetWidth, card.offsetHeight, tag.x, tag.y);
  card.style.left = `${place.left}px`;
  // Above the spot the card hangs from its bottom edge: when it grows (the product's details
  // arrive after it opens) it grows away from the spot, never over it.
  if (place.side === "above") {
    card.style.top = "";
    card.style.bottom = `${frame.clientHeight - place.top - card.offsetHeight}px`;
  } else {
    card.style.bottom = "";
    card.style.top = `${place.top}px`;
  }
  card.dataset.side = place.side;
}

function productCard(post, tag, close) {
  const image = h("img", { alt: "", width: 64, height: 64 }); // src once the product is fetched
  const prime = h("span");
  const link = h(
    "a",
    { href: `#/product/${encodeURIComponent(tag.product_id)}`, onclick: () => track("product_click", post.id, tag.product_id, post.receipt) },
    tag.title,
  );
  const card = h(
    "div.product-card",
    { role: "dialog", "aria-label": tag.title },
    image,
    h(
      "div.product-card-text",
      {},
      link,
      h("div.price", {}, formatPrice(tag.price), " ", prime),
      h(
        "a.shop",
        { href: shopUrl(tag), onclick: () => track("product_click", post.id, tag.product_id), ...(shopUrl(tag).startsWith("#") ? {} : { rel: "noopener", target: "_blank" }) },
        "View in shop",
      ),
    ),
    h("button.close", { type: "button", "aria-label": "Close", onclick: close }, "×"),
  );
  api("GET", `/products/${encodeURIComponent(tag.product_id)}`)
    .then((product) => {
      if (product.image_url) image.src = product.image_url;
      image.alt = product.title;
      if (product.prime_eligible) prime.replaceWith(h("span.badge.prime", {}, "prime"));
    })
    .catch(() => image.remove());
  return card;
}

function smileButton(post) {
  let smiled = post.smiled_by_me;
  let count = post.smile_count;
  const label = h("span");
  const button = h("button.btn", { type: "button", "aria-pressed": String(smiled) }, label);
  const draw = () => {
    button.setAttribute("aria-pressed", String(smiled));
    label.textContent = `☺ ${smiled ? "Smiled" : "Smile"} · ${count}`;
  };
  draw();
  button.addEventListener("click", async () => {
    if (!signedIn()) return askToSignIn();
    if (!isPrime() && !(await primeGate("Smiling"))) return;
    const before = { smiled, count };
    smiled = !smiled; // optimistic
    count += smiled ? 1 : -1;
    draw();
    button.disabled = true;
    try {
      const result = await api(smiled ? "PUT" : "DELETE", `/posts/${encodeURIComponent(post.id)}/smile`);
      smiled = result.smiled;
      count = result.smile_count;
    } catch (error) {
      ({ smiled, count } = before); // roll back
      showError(error);
    } finally {
      button.disabled = false;
      draw();
    }
  });
  return button;
}

function deleteButton(post) {
  return h(
    "button.btn.danger",
    {
      type: "button",
      onclick: async () => {
        if (!confirm("Delete this post? Its comments and smiles go with it.")) return;
        try {
          await api("DELETE", `/posts/${encodeURIComponent(post.id)}`);
          toast("Post deleted.");
          go(`/user/${encodeURIComponent(post.author.id)}`);
        } catch (error) {
          showError(error);
        }
      },
    },
    "Delete post",
  );
}

function taggedList(post) {
  const seen = new Map();
  for (const photo of post.photos) for (const tag of photo.tags) seen.set(tag.product_id, tag);
  if (!seen.size) return null;
  return h(
    "section",
    { "aria-label": "Products in this post" },
    h("h2", {}, bagIcon(), ` Shop this post (${post.shop_count})`),
    h(
      "ul.tag-list",
      {},
      [...seen.values()].map((tag) =>
        h(
          "li",
          {},
          h(
            "a",
            { href: `#/product/${encodeURIComponent(tag.product_id)}`, onclick: () => track("product_click", post.id, tag.product_id, post.receipt) },
            tag.title,
          ),
          " · ",
          h("span.price", {}, formatPrice(tag.price)),
        ),
      ),
    ),
  );
}

function comments(post, viewer) {
  const list = h("ul.comments", { "aria-live": "polite" });
  const more = h("button.btn", { type: "button", hidden: true }, "Older comments");
  let total = post.comment_count;
  const heading = h("h2", {}, `Comments (${total})`);
  const recount = (delta) => {
    total += delta;
    heading.textContent = `Comments (${total})`;
  };
  let cursor = null;

  const render = (comment) => {
    const canDelete = viewer && (viewer.id === comment.author.id || viewer.id === post.author.id);
    const canReport = viewer && viewer.id !== comment.author.id;
    const item = h(
      "li",
      { dataset: { commentId: comment.id } },
      h("a.author", { href: `#/user/${encodeURIComponent(comment.author.id)}` }, comment.author.display_name),
      badges(comment.author.badges),
      h("p", { style: { margin: "4px 0" } }, comment.text),
      canDelete
        ? h(
            "button.btn.danger",
            {
              type: "button",
              "aria-label": `Delete comment by ${comment.author.display_name}`,
              onclick: async () => {
                try {
                  await api("DELETE", `/posts/${encodeURIComponent(post.id)}/comments/${encodeURIComponent(comment.id)}`);
                  item.remove();
                  recount(-1);
                } catch (error) {
                  showError(error);
                }
              },
            },
            "Delete",
          )
        : null,
      canReport
        ? h(
            "button.btn.quiet",
            {
              type: "button",
              "aria-label": `Report comment by ${comment.author.display_name}`,
              onclick: () => reportDialog({ type: "comment", id: comment.id, post_id: post.id }, "this comment"),
            },
            "Report",
          )
        : null,
    );
    list.append(item);
  };
  const load = async () => {
    try {
      const query = new URLSearchParams({ limit: "20" });
      if (cursor) query.set("cursor", cursor);
      const page = await api("GET", `/posts/${encodeURIComponent(post.id)}/comments?${query}`);
      page.items.forEach(render);
      cursor = page.next_cursor;
      more.hidden = !cursor;
    } catch (error) {
      list.append(errorBox(error));
    }
  };
  more.addEventListener("click", load);
  load();

  let form;
  if (viewer && viewer.prime) {
    const text = h("textarea", { name: "text", maxlength: 1000, required: true, rows: 2 });
    const submit = h("button.btn.primary", { type: "submit" }, "Comment");
    form = h(
      "form",
      {
        onsubmit: async (event) => {
          event.preventDefault();
          submit.disabled = true;
          try {
            render(await api("POST", `/posts/${encodeURIComponent(post.id)}/comments`, { text: text.value }));
            recount(1);
            text.value = "";
          } catch (error) {
            showError(error);
          } finally {
            submit.disabled = false;
          }
        },
      },
      h("label.field", {}, "Add a comment", text),
      h("div.row", { style: { marginTop: "8px" } }, submit),
    );
  } else if (signedIn()) {
    form = h(
      "div.panel.gate",
      {},
      h("p", {}, "Commenting is for Prime members."),
      h(
        "button.btn",
        {
          type: "button",
          onclick: async () => {
            if (await primeGate("Commenting")) go(`/post/${encodeURIComponent(post.id)}`);
          },
        },
        "Join Prime to comment",
      ),
    );
  } else {
    form = h("p.hint", {}, h("a", { href: "#/signin" }, "Sign in to comment."));
  }
  return h("section", { "aria-label": "Comments" }, heading, list, more, form);
}
