// My reports: the reports sent from this tab, each followed from its `Location`
// until it is ADDED, REJECTED (with the reason) or FAILED, with a growing wait
// between looks and a bound on how many.

import { h, replace } from "./dom.js";
import { call } from "./api.js";

const REPORTS = "dragons.reports";
/** How many reports are kept. */
const KEEP = 20;
/** The first wait, its growth and its ceiling, and how many looks before giving up. */
const FIRST_WAIT_MS = 400;
const GROWTH = 1.6;
const MAX_WAIT_MS = 5_000;
const MAX_LOOKS = 15;

const LABELS = { RUNNING: "Running", ADDED: "Added", REJECTED: "Rejected", FAILED: "Failed" };

function reports() {
  try {
    const value = JSON.parse(sessionStorage.getItem(REPORTS) ?? "[]");
    return Array.isArray(value) ? value : [];
  } catch {
    return [];
  }
}

function save(list) {
  sessionStorage.setItem(REPORTS, JSON.stringify(list.slice(0, KEEP)));
}

/** Records a report the API accepted (newest first). */
export function addReport({ reportId, location, name }) {
  save([{ reportId, location, name, status: "RUNNING" }, ...reports()]);
}

function update(reportId, changes) {
  save(reports().map((report) => (report.reportId === reportId ? { ...report, ...changes } : report)));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Renders the reports into `main`, following those still running. */
export function renderReports(main, { onError }) {
  const list = reports();
  const items = h("ul", { class: "cards", "aria-labelledby": "reports-title" });
  replace(main, h("h1", { id: "reports-title" }, "My reports"),
    list.length === 0 ? h("p", { class: "status" }, "No reports from this tab yet.") : items);
  let live = true;
  for (const report of list) {
    const state = h("p", { role: "status", "aria-live": "polite", "aria-atomic": "true" });
    const item = h("li", { class: "card" }, h("h2", { dir: "auto" }, report.name ?? ""), state);
    items.append(item);
    const show = (status, reason) => {
      replace(state, h("span", { class: `state-${status}` }, LABELS[status] ?? status),
        reason ? h("span", { dir: "auto" }, `: ${reason}`) : null);
    };
    show(report.status, report.reason);
    if (report.status === "RUNNING") follow(report, show, state, () => live, onError);
  }
  return () => { live = false; };
}

async function follow(report, show, state, isLive, onError) {
  let wait = FIRST_WAIT_MS;
  for (let look = 0; look < MAX_LOOKS && isLive(); look += 1) {
    await sleep(wait);
    wait = Math.min(wait * GROWTH, MAX_WAIT_MS);
    try {
      const status = await (await call(report.location)).json();
      if (status.status !== "RUNNING") {
        update(report.reportId, { status: status.status, reason: status.reason ?? null });
        if (isLive()) show(status.status, status.reason);
        return;
      }
    } catch (error) {
      if (onError(error)) return;
      show("RUNNING", `could not be checked (${error.message}); retrying`);
    }
  }
  if (!isLive()) return;
  const again = h("button", { type: "button", class: "secondary" }, "Check again");
  again.addEventListener("click", () => {
    show("RUNNING", null);
    follow(report, show, state, isLive, onError);
  });
  show("RUNNING", "still running; check again later");
  state.append(" ", again);
}
