// Sign in and sign up against Cognito's JSON API.

import { api, confirmSignUp, me, signIn, signUp, takeReturnPath } from "../api.js";
import { go, h } from "../ui.js";

export async function authView(main, mode) {
  const signup = mode === "signup";
  const message = h("p.error", { role: "alert", id: "auth-error" });
  const email = h("input", { type: "email", name: "email", autocomplete: "email", required: true });
  const password = h("input", {
    type: "password",
    name: "password",
    autocomplete: signup ? "new-password" : "current-password",
    required: true,
    minlength: 8,
  });
  const name = h("input", { type: "text", name: "name", autocomplete: "name", maxlength: 50 });
  const submit = h("button.btn.primary", { type: "submit" }, signup ? "Create account" : "Sign in");

  async function afterSignIn() {
    let profile = await me(true);
    const chosen = signup && name.value.trim();
    if (chosen && profile.display_name !== chosen) {
      await api("PATCH", "/me", { display_name: chosen }); // the name the newcomer typed
      profile = await me(true);
    }
    // Back to the page sign-in started from; a newcomer picks interests first (and goes there after).
    go(profile.onboarded ? takeReturnPath() : "/onboarding");
  }

  const form = h(
    "form.stack",
    {
      "aria-describedby": "auth-error",
      onsubmit: async (event) => {
        event.preventDefault();
        message.textContent = "";
        submit.disabled = true;
        try {
          if (!signup) {
            await signIn(email.value.trim(), password.value);
            await afterSignIn();
          } else if (await signUp(email.value.trim(), password.value, name.value.trim())) {
            await afterSignIn();
          } else {
            askForCode(email.value.trim(), password.value);
          }
        } catch (error) {
          message.textContent = error.message;
        } finally {
          submit.disabled = false;
        }
      },
    },
    h("h1", {}, signup ? "Join Flint" : "Sign in to Flint"),
    signup ? h("label", {}, "Display name (optional)", name) : null,
    h("label", {}, "E-mail", email),
    h("label", {}, "Password", password),
    signup ? h("p.hint", {}, "At least 8 characters with upper and lower case letters and a digit.") : null,
    message,
    submit,
    h(
      "p.hint",
      {},
      signup ? "Already a member? " : "New here? ",
      h("a", { href: signup ? "#/signin" : "#/signup" }, signup ? "Sign in" : "Create an account"),
    ),
  );

  function askForCode(address, secret) {
    const code = h("input", { type: "text", inputmode: "numeric", autocomplete: "one-time-code", required: true });
    const error = h("p.error", { role: "alert" });
    main.replaceChildren(
      h(
        "form.stack",
        {
          onsubmit: async (event) => {
            event.preventDefault();
            try {
              await confirmSignUp(address, code.value.trim(), secret);
              await afterSignIn();
            } catch (e) {
              error.textContent = e.message;
            }
          },
        },
        h("h1", {}, "Check your e-mail"),
        h("p", {}, `We sent a confirmation code to ${address}.`),
        h("label", {}, "Code", code),
        error,
        h("button.btn.primary", { type: "submit" }, "Confirm"),
      ),
    );
  }

  main.append(form);
  email.focus();
}
