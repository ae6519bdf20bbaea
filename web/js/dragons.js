// The dragons view: the name and family filters (kept in the page URL, so a
// filtered list can be shared and reloaded), one page at a time with "More"
// following the `Link` header, and loading, empty and error states.

import { h, replace } from "./dom.js";
import { call, nextUrl, routeUrl } from "./api.js";
import { dragonSchema, fieldsOf } from "./schema.js";

/** How many dragons a page asks for. */
export const PAGE_SIZE = 25;

/**
 * A dragon's card: its first field in reading order (the name) as the heading, the
 * others that are not empty as a list, each with the schema's label.
 */
function card(dragon, [heading, ...fields]) {
  const value = (field) => (typeof dragon[field.name] === "string" ? dragon[field.name] : "");
  const rows = fields.filter((field) => value(field) !== "").flatMap((field) => [
    h("dt", {}, field.label),
    h("dd", { dir: "auto" }, value(field)),
  ]);
  return h("li", { class: "card", tabindex: "-1" },
    h("h2", { dir: "auto" }, value(heading)),
    h("dl", {}, rows));
}

/** Renders the dragons view into `main` for the filters in `params`. */
export function renderDragons(main, params, { onFilter, onError }) {
  const name = params.get("dragonName") ?? "";
  const family = params.get("family") ?? "";
  const nameInput = h("input", { id: "filter-name", name: "dragonName", type: "search", value: name, autocomplete: "off", dir: "auto" });
  const familyInput = h("input", { id: "filter-family", name: "family", type: "search", value: family, autocomplete: "off", dir: "auto" });
  const form = h("form", { class: "filters", role: "search", "aria-label": "Filter dragons" },
    h("div", { class: "field" }, h("label", { for: "filter-name" }, "Name"), nameInput),
    h("div", { class: "field" }, h("label", { for: "filter-family" }, "Family"), familyInput),
    h("button", { type: "submit" }, "Search"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    onFilter({ dragonName: nameInput.value.trim(), family: familyInput.value.trim() });
  });
  const status = h("p", { id: "list-status", class: "status", role: "status", "aria-live": "polite" });
  const list = h("ul", { class: "cards", "aria-labelledby": "dragons-title" });
  const footer = h("div", { class: "more" });
  replace(main, h("h1", { id: "dragons-title" }, "Dragons"), form, status, list, footer);

  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (name) query.set("dragonName", name);
  if (family) query.set("family", family);
  let shown = 0;
  let fields = [];

  async function load(url, button) {
    main.setAttribute("aria-busy", "true");
    if (button) button.disabled = true;
    replace(status, shown === 0 ? "Loading dragons…" : "Loading more dragons…");
    try {
      const response = await call(url);
      const dragons = await response.json();
      const next = nextUrl(response.headers.get("Link"), response.url);
      const cards = (Array.isArray(dragons) ? dragons : []).map((dragon) => card(dragon, fields));
      list.append(...cards);
      // For the benchmark: when the first page, and each next one, is in the page.
      performance.mark(shown === 0 && !button ? "dragons:first-page" : "dragons:more");
      shown += cards.length;
      if (button && cards.length > 0) cards[0].focus();
      replace(status, shown === 0 && !next
        ? "No dragons match."
        : `${shown} ${shown === 1 ? "dragon" : "dragons"} shown${next ? "; there are more." : "."}`);
      replace(footer);
      if (next) {
        const more = h("button", { type: "button", class: "secondary" }, "More");
        more.addEventListener("click", () => {
          performance.mark("dragons:more-requested");
          load(next, more);
        });
        footer.append(more);
        if (button && cards.length === 0) more.focus();
      }
    } catch (error) {
      if (onError(error)) return;
      replace(status);
      const retry = h("button", { type: "button" }, "Try again");
      retry.addEventListener("click", () => load(url, retry));
      replace(footer, h("div", { class: "alert", role: "alert" },
        h("p", {}, `The dragons could not be loaded: ${error.message}`), retry));
    } finally {
      main.removeAttribute("aria-busy");
    }
  }
  return Promise.all([dragonSchema(), routeUrl(`/dragons?${query}`)]).then(([schema, url]) => {
    fields = fieldsOf(schema);
    return load(url, null);
  });
}
