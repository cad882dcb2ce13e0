// Create a post (Prime): upload a photo with progress, wait for the thumbnails, place product
// tags by clicking on the photo, choose interests, publish. Stories and ideas carry a body.

import { api, canJoinPrime, isPrime, joinPrime, me, signedIn, state } from "../api.js";
import { formatPrice, go, h, showError, smallest } from "../ui.js";
import { TYPES, uploadPhoto } from "../uploads.js";

export async function createView(main) {
  if (!signedIn()) return go("/signin");
  const profile = await me();
  if (!profile.prime || !isPrime()) return notPrime(main, profile);

  const form = {
    upload: null, // {upload_id, width, height, thumbnails}
    tags: [],
    interests: new Set(),
  };
  const message = h("p.error", { role: "alert" });
  const kind = h(
    "select",
    { name: "kind" },
    h("option", { value: "photo" }, "Photo"),
    h("option", { value: "story" }, "Story (photo and text)"),
    h("option", { value: "idea" }, "Idea (text, photo optional)"),
  );
  const caption = h("input", { type: "text", name: "caption", maxlength: 2200, required: true });
  const body = h("textarea", { name: "body", maxlength: 10000 });
  const bodyField = h("label.field", { hidden: true }, "Text", body);
  kind.addEventListener("change", () => {
    bodyField.hidden = kind.value === "photo";
  });

  // --- photo upload ---
  const file = h("input", { type: "file", accept: TYPES.join(","), name: "photo" });
  const progress = h("progress.upload-progress", { max: 100, value: 0, hidden: true, "aria-label": "Upload progress" });
  const uploadStatus = h("p.hint", { role: "status", "aria-live": "polite" });
  const placer = h("div");
  file.addEventListener("change", async () => {
    const chosen = file.files[0];
    form.upload = null;
    form.tags = [];
    placer.replaceChildren();
    uploadStatus.className = "hint";
    if (!chosen) return;
    try {
      form.upload = await uploadPhoto(chosen, progress, uploadStatus);
      drawPlacer();
    } catch (error) {
      uploadStatus.textContent = error.message; // shown under the photo it is about
      uploadStatus.className = "error";
    }
  });

  // --- tags: click the photo, then choose a product ---
  const tagList = h("ul.tag-list", { "aria-label": "Tagged products" });
  function drawPlacer() {
    const rendition = smallest(form.upload.thumbnails, 640);
    const img = h("img", { src: rendition.url, alt: "Your photo: click to tag a product", width: rendition.width, height: rendition.height });
    const frame = h("div.placer", { tabindex: "0", role: "button", "aria-label": "Tag a product: click a spot on the photo" }, img);
    const choose = (x, y) => {
      if (form.tags.length >= 5) return showError(new Error("At most 5 tags a photo."));
      pickProduct(x, y);
    };
    frame.addEventListener("click", (event) => {
      const box = img.getBoundingClientRect();
      const x = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
      const y = Math.min(1, Math.max(0, (event.clientY - box.top) / box.height));
      choose(Math.round(x * 1000) / 1000, Math.round(y * 1000) / 1000);
    });
    frame.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        choose(0.5, 0.5); // keyboard: tag the centre
      }
    });
    const parts = [
      h("p.hint", {}, "Click on the photo where a product is to tag it."),
      frame,
      suggestions(),
      h("div", { id: "product-picker" }),
      h("h2", {}, "Tagged products"),
      tagList,
    ];
    placer.replaceChildren(...parts.filter(Boolean)); // DOM replaceChildren() would print a null

    drawPins();
  }
  // Products the photo likely shows (GET /uploads/{id} `suggested_tags`): one click tags each
  // where it was found.
  function suggestions() {
    const offered = (form.upload.suggested_tags || []).filter((s) => !form.tags.some((t) => t.product_id === s.product_id));
    if (!offered.length) return null;
    return h(
      "div.suggested-tags",
      { "aria-label": "Suggested tags" },
      h("span.hint", {}, "Suggested: "),
      ...offered.map((s) =>
        h(
          "button.chip",
          {
            type: "button",
            title: `${Math.round(s.confidence * 100)}% match`,
            onclick: (event) => {
              if (form.tags.length >= 5) return showError(new Error("At most 5 tags a photo."));
              form.tags.push({ product_id: s.product_id, x: s.x, y: s.y, title: s.title });
              event.currentTarget.remove();
              drawPins();
            },
          },
          `+ ${s.title}`,
        ),
      ),
    );
  }
  function drawPins() {
    const frame = placer.querySelector(".placer");
    frame.querySelectorAll(".pin").forEach((pin) => pin.remove());
    tagList.replaceChildren();
    form.tags.forEach((tag, index) => {
      frame.append(h("span.pin", { style: { left: `${tag.x * 100}%`, top: `${tag.y * 100}%` }, "aria-hidden": "true" }));
      tagList.append(
        h(
          "li",
          {},
          `${tag.title} `,
          h(
            "button.btn",
            {
              type: "button",
              "aria-label": `Remove tag ${tag.title}`,
              onclick: () => {
                form.tags.splice(index, 1);
                drawPins();
              },
            },
            "Remove",
          ),
        ),
      );
    });
  }
  function pickProduct(x, y) {
    const picker = placer.querySelector("#product-picker");
    // The spot being tagged shows as a pin until a product is chosen (or the choice is cancelled).
    const frame = placer.querySelector(".placer");
    frame.querySelectorAll(".pin.pending").forEach((pin) => pin.remove());
    frame.append(h("span.pin.pending", { style: { left: `${x * 100}%`, top: `${y * 100}%` }, "aria-hidden": "true" }));
    const search = h("input", { type: "search", name: "product-search", placeholder: "e.g. tent, kettle, lamp" });
    const results = h("ul.results", { "aria-label": "Products" });
    let timer;
    const find = async () => {
      try {
        const page = await api("GET", `/products?limit=8&q=${encodeURIComponent(search.value.trim())}`);
        results.replaceChildren(
          ...page.items.map((product) =>
            h(
              "li",
              {},
              h(
                "button.btn",
                {
                  type: "button",
                  onclick: () => {
                    form.tags.push({ product_id: product.id, x, y, title: product.title });
                    picker.replaceChildren();
                    drawPins();
                  },
                },
                `${product.title} · ${product.brand_name} · ${formatPrice(product.price)}`,
              ),
            ),
          ),
          page.items.length ? "" : h("li.hint", {}, "No products match."),
        );
      } catch (error) {
        showError(error);
      }
    };
    search.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(find, 250);
    });
    const cancel = () => {
      picker.replaceChildren();
      drawPins();
    };
    // The photo may scroll away while typing (a phone's keyboard): the picker shows the pin too.
    const shown = frame.querySelector("img");
    const mini = h(
      "div.mini-placer",
      { "aria-hidden": "true" },
      h("img", { src: shown.currentSrc || shown.src, alt: "", width: 96, height: Math.round((96 * shown.naturalHeight) / (shown.naturalWidth || 1)) }),
      h("span.pin.pending", { style: { left: `${x * 100}%`, top: `${y * 100}%` } }),
    );
    picker.replaceChildren(
      h("div.panel.picker", {}, mini, h("div.picker-body", {}, h("label.field", {}, "Which product is at the pin?", search), results,
        h("button.btn", { type: "button", onclick: cancel }, "Cancel"))),
    );
    search.focus({ preventScroll: true });
    picker.scrollIntoView({ block: "nearest" });
  }

  // --- interests ---
  const interestHint = h("span.hint", {}, "Choose 1 to 3.");
  const interestChips = state.interests.map((interest) =>
    h(
      "button.chip",
      {
        type: "button",
        "aria-pressed": "false",
        onclick: (event) => {
          const chip = event.currentTarget;
          if (form.interests.has(interest.id)) form.interests.delete(interest.id);
          else if (form.interests.size < 3) form.interests.add(interest.id);
          chip.setAttribute("aria-pressed", String(form.interests.has(interest.id)));
        },
      },
      interest.name,
    ),
  );

  const publish = h("button.btn.primary", { type: "submit" }, "Publish");
  main.append(
    h("h1", {}, "New post"),
    h(
      "form.stack",
      {
        style: { maxWidth: "720px", margin: "0" },
        onsubmit: async (event) => {
          event.preventDefault();
          message.textContent = "";
          const photos = form.upload
            ? [{ upload_id: form.upload.upload_id, tags: form.tags.map(({ product_id, x, y }) => ({ product_id, x, y })) }]
            : [];
          if (kind.value !== "idea" && !photos.length) return (message.textContent = "Add a photo first.");
          if (!form.interests.size) return (message.textContent = "Choose at least one interest.");
          const payload = { kind: kind.value, caption: caption.value.trim(), interests: [...form.interests], photos };
          if (kind.value !== "photo") payload.body = body.value;
          publish.disabled = true;
          try {
            const post = await api("POST", "/posts", payload);
            go(`/post/${encodeURIComponent(post.id)}`);
          } catch (error) {
            message.textContent = error.message;
          } finally {
            publish.disabled = false;
          }
        },
      },
      h("label.field", {}, "Kind", kind),
      h("label.field", {}, "Photo (JPEG, PNG or WebP)", file),
      progress,
      uploadStatus,
      placer,
      h("label.field", {}, "Caption", caption),
      bodyField,
      h("fieldset.panel", {}, h("legend", {}, "Interests"), h("div.chips", {}, interestChips), interestHint),
      message,
      publish,
    ),
  );
}

function notPrime(main, profile) {
  const status = h("p.error", { role: "alert" });
  const join = canJoinPrime()
    ? h(
        "button.btn.primary",
        {
          type: "button",
          onclick: async (event) => {
            const button = event.currentTarget;
            button.disabled = true;
            try {
              if (await joinPrime()) go("/create");
            } catch (error) {
              status.textContent = error.message;
              button.disabled = false;
            }
          },
        },
        state.localHelpers ? "Join Prime (local demo)" : "Join Prime",
      )
    : null;
  main.append(
    h("h1", {}, "Posting is for Prime members"),
    h(
      "p",
      {},
      `${profile.display_name}, you can browse, follow people and save ideas, but publishing posts, smiling and commenting need a Prime membership.`,
    ),
    join ? h("p.hint", {}, state.localHelpers ? "On this local stack you can join Prime with one click:" : "Join, then come back here to post:") : h("p.hint", {}, "Prime is not offered on this site yet."),
    status,
    join,
  );
}
