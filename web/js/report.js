// The report form: one control per field of the dragon schema, each checked in the
// browser by the schema's rules before anything is sent; the input is kept in
// sessionStorage as it is typed, so a sign-in in the middle loses nothing.

import { h, replace } from "./dom.js";
import { call, ApiError, resolve, routeUrl } from "./api.js";
import { dragonSchema, fieldsOf, problem } from "./schema.js";
import { addReport } from "./reports.js";

const DRAFT = "dragons.draft";

function draft() {
  try {
    return JSON.parse(sessionStorage.getItem(DRAFT) ?? "{}") ?? {};
  } catch {
    return {};
  }
}

/** Renders the report form into `main`; `onReported` gets the accepted report. */
export async function renderReport(main, { onReported, onError }) {
  const fields = fieldsOf(await dragonSchema());
  const saved = draft();
  const controls = new Map();
  const formStatus = h("div", { id: "report-status", role: "status", "aria-live": "polite" });

  const rows = fields.map((field) => {
    const { label } = field;
    const id = `field-${field.name}`;
    const message = h("p", { id: `${id}-error`, class: "error", hidden: true });
    const control = field.multiLine
      ? h("textarea", { id, name: field.name, rows: "4", dir: "auto", "aria-describedby": `${id}-error` })
      : h("input", { id, name: field.name, type: "text", dir: "auto", autocomplete: "off", "aria-describedby": `${id}-error` });
    if (field.minLength > 0) control.setAttribute("aria-required", "true");
    control.value = typeof saved[field.name] === "string" ? saved[field.name] : "";
    controls.set(field.name, { field, label, control, message });
    control.addEventListener("input", () => {
      sessionStorage.setItem(DRAFT, JSON.stringify(values()));
      if (control.getAttribute("aria-invalid") === "true") check(field.name);
    });
    const optional = field.minLength > 0 ? null : h("p", { class: "hint" }, "Optional.");
    return h("div", { class: "field" }, h("label", { for: id }, label), control, optional, message);
  });

  function values() {
    return Object.fromEntries([...controls].map(([name, { control }]) => [name, control.value]));
  }

  function show(name, text) {
    const { control, message } = controls.get(name);
    control.setCustomValidity(text);
    replace(message, text);
    message.hidden = text === "";
    if (text) control.setAttribute("aria-invalid", "true");
    else control.removeAttribute("aria-invalid");
  }

  function check(name) {
    const { field, label, control } = controls.get(name);
    const text = problem(field, label, control.value);
    show(name, text);
    return text;
  }

  const submit = h("button", { type: "submit" }, "Report");
  const form = h("form", { novalidate: true, "aria-labelledby": "report-title" }, rows, submit, formStatus);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const invalid = [...controls.keys()].filter((name) => check(name) !== "");
    if (invalid.length > 0) {
      replace(formStatus, h("p", { class: "error" },
        `Fix ${invalid.length === 1 ? "the field" : `the ${invalid.length} fields`} marked above.`));
      controls.get(invalid[0]).control.focus();
      return;
    }
    submit.disabled = true;
    replace(formStatus, h("p", { class: "status" }, "Sending the report…"));
    try {
      const response = await call(await routeUrl("/dragons"), {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(values()),
      });
      const accepted = await response.json();
      const dragon = values();
      addReport({
        reportId: accepted.reportId,
        location: resolve(response.headers.get("Location"), response.url),
        name: dragon.dragon_name_str,
      });
      sessionStorage.removeItem(DRAFT);
      onReported(accepted);
    } catch (error) {
      if (onError(error)) return;
      if (error instanceof ApiError && error.status === 400) {
        // The API's model refused the body: show its message, and on each field the
        // schema's own finding.
        const flagged = [...controls.keys()].filter((name) => check(name) !== "");
        if (flagged.length > 0) controls.get(flagged[0]).control.focus();
      }
      replace(formStatus, h("div", { class: "alert", role: "alert" },
        h("p", {}, `The report was not sent: ${error.message}`)));
    } finally {
      submit.disabled = false;
    }
  });
  replace(main, h("h1", { id: "report-title" }, "Report a dragon"), form);
}
