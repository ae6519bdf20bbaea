// Building the page from data with text nodes only: `h` never parses markup, so a
// dragon's text is shown as the characters it holds, whatever they are.

/** The attributes `h` may set: none of them can run code or load a URL. */
const SAFE_ATTRIBUTES = new Set([
  "id", "class", "dir", "lang", "role", "type", "name", "for", "value", "rows",
  "autocomplete", "inputmode", "tabindex", "hidden", "disabled", "novalidate",
  "aria-live", "aria-label", "aria-labelledby", "aria-describedby", "aria-invalid",
  "aria-busy", "aria-current", "aria-atomic", "aria-required", "spellcheck",
]);

/**
 * An element `tag` with `attributes` (from SAFE_ATTRIBUTES; `href` only to one of
 * the app's own `#/` views) and `children` (strings become text nodes; null and
 * false are skipped).
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "href") {
      if (typeof value !== "string" || !value.startsWith("#/")) {
        throw new Error(`refused link ${value}`);
      }
    } else if (!SAFE_ATTRIBUTES.has(name)) {
      throw new Error(`refused attribute ${name}`);
    }
    element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

/** Appends `children` to `parent` (strings as text nodes). */
export function append(parent, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replaces everything in `parent` with `children`. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}
