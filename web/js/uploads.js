// Uploading a photo: a presigned S3 POST (POST /uploads for posts, POST /me/avatar for avatars)
// with progress, then GET /uploads/{id} polled with backoff until the thumbnailer has decided:
// ready, rejected (why), or held for a moderator (why).

import { api, state } from "./api.js";

export const TYPES = ["image/jpeg", "image/png", "image/webp"];
const REASONS = {
  empty: "the file is empty",
  too_large: "the file is too large",
  not_an_image: "the file is not an image",
  unsupported_format: "the format is not supported (use JPEG, PNG or WebP)",
  too_many_pixels: "the image has too many pixels (over 40 megapixels)",
  extreme_aspect_ratio: "the image is too tall or too wide (one side over 4 times the other)",
  corrupt: "the image is damaged",
};
// Why screening held a photo for a moderator (GET /uploads/{id} status `held`).
const HELD = {
  explicit_nudity: "it may show nudity",
  explicit: "it may show explicit content",
  violence: "it may show violence",
  visually_disturbing: "it may be disturbing",
  hate_symbols: "it may show hate symbols",
  screening_unavailable: "it could not be checked automatically",
};

/** Upload `chosen`; resolves with the ready upload (its thumbnails), throws a readable Error otherwise. */
export async function uploadPhoto(chosen, progress, status, endpoint = "/uploads") {
  if (!TYPES.includes(chosen.type)) throw new Error("Choose a JPEG, PNG or WebP photo.");
  if (chosen.size > state.config.max_upload_bytes) {
    throw new Error(`The photo is too large: at most ${Math.floor(state.config.max_upload_bytes / 1048576)} MB.`);
  }
  const ticket = await api("POST", endpoint, { content_type: chosen.type, size: chosen.size });
  status.textContent = "Uploading…";
  progress.hidden = false;
  progress.value = 0;
  await new Promise((resolve, reject) => {
    const data = new FormData();
    for (const [key, value] of Object.entries(ticket.fields)) data.append(key, value);
    data.append("file", chosen);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", ticket.url);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) progress.value = Math.round((event.loaded / event.total) * 100);
    };
    xhr.onload = () => (xhr.status < 300 ? resolve() : reject(new Error(`The upload failed (HTTP ${xhr.status}).`)));
    xhr.onerror = () => reject(new Error("The upload failed: check your connection."));
    xhr.send(data);
  });
  progress.value = 100;
  status.textContent = "Making thumbnails…";
  let delay = 400;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const result = await api("GET", `/uploads/${encodeURIComponent(ticket.upload_id)}`);
    if (result.status === "ready") {
      status.textContent = "Photo ready.";
      return result;
    }
    if (result.status === "rejected") {
      progress.hidden = true;
      throw new Error(`This photo was refused: ${REASONS[result.reason] || result.reason}.`);
    }
    if (result.status === "held") {
      progress.hidden = true;
      throw new Error(
        `This photo is held for review because ${HELD[result.reason] || "it needs a second look"}: a moderator will decide. Choose another photo to post now.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 1.6, 5000); // back off
  }
  throw new Error("The photo is taking too long to process. Try again.");
}
