// Flint's shoppable gallery, embedded on a brand's own site. Put this where the gallery goes:
//   a script tag with src="https://<flint site>/embed.js", data-flint-gallery="<gallery id>" and async.
// It inserts an iframe of the gallery page served from Flint's site (embed/gallery.html), which
// reads the public gallery route and sends its impressions and clicks itself: the brand's page
// needs no API access, and no script of Flint's runs in it beyond these lines. The gallery page
// tells the iframe its height (postMessage), so it grows with its content.
(() => {
  const script = document.currentScript;
  if (!script || !script.src) return;
  const id = script.dataset.flintGallery || new URLSearchParams(location.search).get("gallery");
  if (!id) return;
  const origin = new URL(script.src).origin;
  const frame = document.createElement("iframe");
  frame.src = `${origin}/embed/gallery.html?id=${encodeURIComponent(id)}`;
  frame.title = script.dataset.title || "Shoppable gallery";
  frame.className = "flint-gallery";
  frame.loading = "lazy";
  frame.style.width = "100%";
  frame.style.height = "520px";
  frame.style.border = "0";
  script.after(frame);
  addEventListener("message", (event) => {
    if (event.origin !== origin || event.source !== frame.contentWindow) return;
    const height = Number(event.data && event.data.flintGalleryHeight);
    if (height > 0 && height < 20000) frame.style.height = `${Math.ceil(height)}px`;
  });
})();
