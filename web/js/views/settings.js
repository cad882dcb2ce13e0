// Edit your profile: display name, bio, avatar (through the same upload pipeline as posts: a
// presigned POST, then the thumbnailer) and interests, saved in one PATCH /me. Also the members
// you blocked, with a way to unblock them.

import { api, me, signedIn, state } from "../api.js";
import { avatar, errorBox, go, h, showError, toast } from "../ui.js";
import { TYPES, uploadPhoto } from "../uploads.js";

export async function settingsView(main) {
  if (!signedIn()) return go("/signin");
  const profile = await me(true);
  const minimum = state.config.min_interests || 5;
  const maximum = state.config.max_interests || 20;
  const chosen = new Set(profile.interests || []);
  let avatarUploadId; // undefined: unchanged; null: remove; an id: the new one
  const message = h("p.error", { role: "alert" });

  const name = h("input", { type: "text", name: "display_name", maxlength: 50, required: true, value: profile.display_name, autocomplete: "nickname" });
  const bio = h("textarea", { name: "bio", maxlength: 280, rows: 3 });
  bio.value = profile.bio || "";

  // --- avatar ---
  const preview = h("div.avatar-preview", {}, avatar(profile, 96));
  const file = h("input", { type: "file", accept: TYPES.join(","), name: "avatar" });
  const progress = h("progress.upload-progress", { max: 100, value: 0, hidden: true, "aria-label": "Upload progress" });
  const uploadStatus = h("p.hint", { role: "status", "aria-live": "polite" });
  const remove = h("button.btn", { type: "button", hidden: !profile.avatar }, "Remove photo");
  file.addEventListener("change", async () => {
    const picked = file.files[0];
    if (!picked) return;
    uploadStatus.className = "hint";
    try {
      const ready = await uploadPhoto(picked, progress, uploadStatus, "/me/avatar");
      avatarUploadId = ready.upload_id;
      preview.replaceChildren(avatar({ display_name: name.value, avatar: ready.thumbnails }, 96));
      uploadStatus.textContent = "New photo ready: save to use it.";
      remove.hidden = false;
    } catch (error) {
      uploadStatus.textContent = error.message;
      uploadStatus.className = "error";
    }
  });
  remove.addEventListener("click", () => {
    avatarUploadId = null;
    file.value = "";
    preview.replaceChildren(avatar({ display_name: name.value }, 96));
    remove.hidden = true;
    uploadStatus.textContent = "Your photo will be removed when you save.";
  });

  // --- interests ---
  const interestHint = h("span.hint", { id: "settings-interest-hint", "aria-live": "polite" });
  const drawHint = () => {
    interestHint.textContent = `${chosen.size} chosen (${minimum} to ${maximum}).`;
  };
  const chips = state.interests.map((interest) =>
    h(
      "button.chip",
      {
        type: "button",
        "aria-pressed": String(chosen.has(interest.id)),
        onclick: (event) => {
          if (chosen.has(interest.id)) chosen.delete(interest.id);
          else if (chosen.size < maximum) chosen.add(interest.id);
          event.currentTarget.setAttribute("aria-pressed", String(chosen.has(interest.id)));
          drawHint();
        },
      },
      interest.name,
    ),
  );
  drawHint();

  const save = h("button.btn.primary", { type: "submit" }, "Save profile");
  const form = h(
    "form.stack.settings",
    {
      onsubmit: async (event) => {
        event.preventDefault();
        message.textContent = "";
        if (chosen.size < minimum) {
          message.textContent = `Choose at least ${minimum} interests.`;
          return;
        }
        const patch = { display_name: name.value.trim(), bio: bio.value, interests: [...chosen] };
        if (avatarUploadId !== undefined) patch.avatar_upload_id = avatarUploadId;
        save.disabled = true;
        try {
          await api("PATCH", "/me", patch);
          await me(true);
          toast("Profile saved.");
          go(`/user/${encodeURIComponent(profile.id)}`);
        } catch (error) {
          message.textContent = error.message;
        } finally {
          save.disabled = false;
        }
      },
    },
    h("h1", {}, "Edit profile"),
    h("fieldset.panel", {}, h("legend", {}, "Photo"), preview, h("label.field", {}, "New photo (JPEG, PNG or WebP)", file), progress, uploadStatus, remove),
    h("label.field", {}, "Display name", name),
    h("label.field", {}, "Bio (up to 280 characters)", bio),
    h("fieldset.panel", { "aria-describedby": "settings-interest-hint" }, h("legend", {}, "Interests"), h("div.chips", {}, chips), interestHint),
    message,
    save,
  );
  main.append(form, await blockedMembers());
}

async function blockedMembers() {
  const list = h("ul.people");
  const box = h("section.stack-section", { "aria-label": "Blocked members" }, h("h2", {}, "Blocked members"), list);
  try {
    const page = await api("GET", "/me/blocks?limit=100");
    if (!page.items.length) list.replaceWith(h("p.hint", {}, "You have not blocked anyone."));
    for (const member of page.items) {
      const item = h(
        "li",
        {},
        h("a.person", { href: `#/user/${encodeURIComponent(member.id)}` }, avatar(member, 40), h("span", {}, member.display_name)),
        h(
          "button.btn",
          {
            type: "button",
            "aria-label": `Unblock ${member.display_name}`,
            onclick: async () => {
              try {
                await api("DELETE", `/users/${encodeURIComponent(member.id)}/block`);
                item.remove();
                toast(`${member.display_name} is unblocked.`);
              } catch (error) {
                showError(error);
              }
            },
          },
          "Unblock",
        ),
      );
      list.append(item);
    }
  } catch (error) {
    list.replaceWith(errorBox(error));
  }
  return box;
}
