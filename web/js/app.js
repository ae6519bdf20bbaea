// The app's wiring: the views by the URL's fragment (`#/dragons?family=red`,
// `#/report`, `#/reports`), the sign-in and sign-out controls, and the sign-in
// asked for whenever the API no longer takes the tokens.

import { h, replace } from "./dom.js";
import { completeSignIn, signedIn, signIn, signOut, userEmail, SignInRequired } from "./auth.js";
import { renderDragons } from "./dragons.js";
import { renderReport } from "./report.js";
import { renderReports } from "./reports.js";

const main = document.getElementById("main");
const session = document.getElementById("session");
let leaveView = () => {};

function route() {
  const [path, query = ""] = (location.hash || "#/dragons").slice(1).split("?");
  return { path, params: new URLSearchParams(query) };
}

/** Sends the user to sign in when `error` says so; true when it did. */
function onError(error) {
  if (!(error instanceof SignInRequired)) return false;
  signIn(location.hash);
  return true;
}

function renderSession() {
  if (signedIn()) {
    const out = h("button", { type: "button", class: "secondary" }, "Sign out");
    out.addEventListener("click", () => signOut());
    replace(session, h("span", { class: "who", dir: "auto" }, userEmail()), out);
  } else {
    const button = h("button", { type: "button" }, "Sign in");
    button.addEventListener("click", () => signIn(location.hash));
    replace(session, button);
  }
}

function renderSignedOut(message) {
  const button = h("button", { type: "button" }, "Sign in");
  button.addEventListener("click", () => signIn(location.hash));
  replace(main, h("h1", {}, "Welcome"),
    message ? h("div", { class: "alert", role: "alert" }, h("p", {}, message)) : null,
    h("p", {}, "Sign in to see the dragons, report one, and follow your reports."),
    button);
}

function markNavigation(path) {
  for (const link of document.querySelectorAll("nav a")) {
    if (link.getAttribute("href") === `#${path}`) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

async function render() {
  leaveView();
  leaveView = () => {};
  renderSession();
  const { path, params } = route();
  markNavigation(path);
  if (!signedIn()) {
    document.title = "Sign in · Dragons";
    renderSignedOut(null);
    return;
  }
  const onFilter = ({ dragonName, family }) => {
    const query = new URLSearchParams();
    if (dragonName) query.set("dragonName", dragonName);
    if (family) query.set("family", family);
    const hash = `#/dragons${query.size > 0 ? `?${query}` : ""}`;
    if (location.hash === hash) render();
    else location.hash = hash;
  };
  try {
    if (path === "/report") {
      document.title = "Report a dragon · Dragons";
      await renderReport(main, { onError, onReported: () => { location.hash = "#/reports"; } });
    } else if (path === "/reports") {
      document.title = "My reports · Dragons";
      leaveView = renderReports(main, { onError });
    } else {
      document.title = "Dragons";
      await renderDragons(main, params, { onFilter, onError });
    }
  } catch (error) {
    if (onError(error)) return;
    replace(main, h("div", { class: "alert", role: "alert" }, h("p", {}, error.message)));
  }
}

window.addEventListener("hashchange", () => {
  render().then(() => main.focus());
});

completeSignIn()
  .then((returnTo) => {
    if (returnTo !== null && location.hash !== returnTo) history.replaceState(null, "", returnTo);
    return render();
  })
  .catch((error) => {
    renderSession();
    renderSignedOut(error.message);
  });
