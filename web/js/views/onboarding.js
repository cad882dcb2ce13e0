// Onboarding: pick at least `min_interests` interests as tiles.

import { api, me, signedIn, state, takeReturnPath } from "../api.js";
import { go, h, showError } from "../ui.js";

const TILE_COLOURS = ["#fde68a", "#bbf7d0", "#bfdbfe", "#fecaca", "#ddd6fe", "#fed7aa", "#a5f3fc", "#fbcfe8"];

export async function onboardingView(main) {
  if (!signedIn()) return go("/signin");
  const profile = await me();
  const minimum = state.config.min_interests || 5;
  const maximum = state.config.max_interests || 20;
  const chosen = new Set(profile.interests || []);
  const hint = h("span.hint", { id: "interest-hint", "aria-live": "polite" });
  const save = h("button.btn.primary", { type: "button", "aria-describedby": "interest-hint" }, "Continue");

  function update() {
    const missing = minimum - chosen.size;
    save.disabled = missing > 0;
    hint.textContent =
      missing > 0 ? `Pick ${missing} more (at least ${minimum}).` : `${chosen.size} chosen${chosen.size >= maximum ? " (the most you can pick)" : ""}.`;
  }

  const tiles = state.interests.map((interest, index) =>
    h(
      "button.tile",
      {
        type: "button",
        "aria-pressed": String(chosen.has(interest.id)),
        style: { "--tile": TILE_COLOURS[index % TILE_COLOURS.length] },
        onclick: (event) => {
          const tile = event.currentTarget;
          if (chosen.has(interest.id)) chosen.delete(interest.id);
          else if (chosen.size < maximum) chosen.add(interest.id);
          tile.setAttribute("aria-pressed", String(chosen.has(interest.id)));
          update();
        },
      },
      interest.name,
    ),
  );
  save.addEventListener("click", async () => {
    save.disabled = true;
    try {
      await api("PUT", "/me/interests", { interests: [...chosen] });
      await me(true);
      go(takeReturnPath());
    } catch (error) {
      showError(error);
      update();
    }
  });
  update();
  main.append(
    h("h1", {}, "What are you into?"),
    h("p", {}, `Pick at least ${minimum} interests: your feed is built from them and the people you follow.`),
    h("div.tiles", { role: "group", "aria-label": "Interests" }, tiles),
    h("div.sticky-actions", {}, save, hint),
  );
}
