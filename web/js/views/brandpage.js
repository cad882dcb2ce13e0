// A brand's public page (#/brands/<id>): its name, follower count and Follow button, its products
// (more on demand) and the community's best posts that tag them.

import { api, forgetFollowedBrands } from "../api.js";
import { followButton, formatPrice, h, Masonry, showError } from "../ui.js";

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

export async function brandPageView(main, brandId) {
  const path = `/brands/${encodeURIComponent(brandId)}`;
  const page = await api("GET", `${path}/page`);
  const followers = h("span.followers", { "data-testid": "brand-followers" }, plural(page.brand.followers, "follower"));
  const follow = followButton(page.followed_by_me, async (following) => {
    const result = await api(following ? "DELETE" : "PUT", `${path}/follow`);
    followers.textContent = plural(result.followers, "follower");
    forgetFollowedBrands(); // feed cards name followed brands from GET /me/followed-brands
    return result.following;
  });

  const products = h("ul.brand-products", { "aria-label": "Products" });
  const more = h("button.btn", { type: "button" }, "More products");
  let cursor = page.products.next_cursor;
  const addProducts = (items) => products.append(...items.map(productItem));
  addProducts(page.products.items);
  more.hidden = !cursor;
  more.addEventListener("click", async () => {
    more.disabled = true;
    try {
      const next = await api("GET", `${path}/products?limit=24&cursor=${encodeURIComponent(cursor)}`);
      addProducts(next.items);
      cursor = next.next_cursor;
      more.hidden = !cursor;
    } catch (error) {
      showError(error);
    } finally {
      more.disabled = false;
    }
  });

  main.append(
    h("div.profile-head.brand-head", {}, h("div", {}, h("h1", {}, page.brand.name), h("p.counts", {}, followers)), h("div.row", {}, follow)),
    h("h2", {}, "Products"),
    page.products.items.length ? products : h("p.hint", {}, "No products yet."),
    more,
    h("h2", {}, "Best from the community"),
  );
  if (!page.top_posts.length) {
    main.append(h("p.hint", {}, `No posts tag ${page.brand.name}'s products yet.`));
    return null;
  }
  const grid = new Masonry(main);
  for (const post of page.top_posts) grid.add(post, []);
  return () => grid.destroy();
}

function productItem(product) {
  return h(
    "li",
    {},
    h("a", { href: `#/product/${encodeURIComponent(product.id)}` }, product.title),
    " ",
    h("span.price", {}, formatPrice(product.price)),
  );
}
