// A product: details and the posts that tag it.

import { api } from "../api.js";
import { formatPrice, h, infinite, Masonry, shopUrl } from "../ui.js";

export async function productView(main, productId) {
  const product = await api("GET", `/products/${encodeURIComponent(productId)}`);
  main.append(
    h(
      "div.product-head",
      {},
      product.image_url ? h("img", { src: product.image_url, alt: product.title, width: 200, height: 200 }) : null,
      h(
        "div",
        {},
        h("h1", {}, product.title),
        h("p", {}, "by ", h("a.brand-link", { href: `#/brands/${encodeURIComponent(product.brand_id)}` }, product.brand_name)),
        h("p.price", {}, formatPrice(product.price), product.prime_eligible ? h("span.badge.prime", {}, "prime") : null),
        h("p.hint", {}, `Tagged in ${product.tag_count} ${product.tag_count === 1 ? "post" : "posts"}`),
        shopButton(product),
      ),
    ),
    h("h2", {}, "Posts with this product"),
  );
  const grid = new Masonry(main);
  const stop = infinite(
    main,
    (cursor) => api("GET", `/products/${encodeURIComponent(productId)}/posts?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`),
    (post) => grid.add(post, []),
    { empty: "No posts tag this product yet." },
  );
  return () => {
    stop();
    grid.destroy();
  };
}

function shopButton(product) {
  const url = shopUrl(product);
  if (url.startsWith("#")) {
    // The local stack has no shop: this page is where "View in shop" leads.
    return h("p.hint", {}, "Demo stack: there is no shop behind Flint here, so this page is where \u201cView in shop\u201d leads.");
  }
  return h("a.btn.primary", { href: url, rel: "noopener", target: "_blank" }, "View in shop");
}
