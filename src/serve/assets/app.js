// The page of `caasim serve`: a live what-if room for strategy workshops.
// It keeps a local copy of the room's state, sends changes to POST /api/state,
// follows /api/events and draws the results as SVG charts and an effects table.
"use strict";

// ---------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------

/** Okabe-Ito palette: 0 is the baseline, 1–4 the what-if arms. */
const PALETTE = ["#000000", "#0072B2", "#D55E00", "#009E73", "#CC79A7"];
const MAX_ARMS = 4;
const DEBOUNCE_MS = 300;
const RETRY_MS = 1000;
const ARM_NAME = /^[A-Za-z0-9 _+-]{1,40}$/;
const PRESET_NAME = /^[A-Za-z0-9 _-]{1,64}$/;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const SVG_NS = "http://www.w3.org/2000/svg";
const FONT_FAMILY = "DejaVu Sans, sans-serif";

// ---------------------------------------------------------------------------
// Page state (one object, never the DOM, is the truth)
// ---------------------------------------------------------------------------

const app = {
  scenarios: new Map(),   // id -> controls from /api/scenario/{id}
  scenario: null,         // controls of the current scenario
  state: null,            // local copy of the room's state (with the user's edits)
  revision: 0,            // newest revision known (state events and POST answers)
  serverEvent: null,      // newest `state` event
  runKeys: new Map(),     // revision -> what a run depends on (to fade outdated charts)
  results: null,          // newest results not stale when they came
  editSeq: 0,             // local edits so far
  sentSeq: 0,             // edits included in the POST in flight
  acceptedSeq: 0,         // edits the server accepted
  sendTimer: null,
  sending: false,
  problems: [],           // problems of the last refused POST
  failure: null,          // message of the last failed run
  revealedAt: 0,          // revision of the last round the server recorded
  projector: false,
  fontDataUrl: null,
  queue: Promise.resolve(), // events handled in order, one at a time
};

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));
const clone = (value) => JSON.parse(JSON.stringify(value));

/** Builds an element: el("input", {type: "number", dataset: {...}}, [children]). */
function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) { continue; }
    if (key === "dataset") { Object.assign(node.dataset, value); } else if (key === "text") {
      node.textContent = value;
    } else if (key in node && key !== "list") { node[key] = value; } else { node.setAttribute(key, value); }
  }
  for (const child of [].concat(children)) {
    if (child !== null && child !== undefined) { node.append(child); }
  }
  return node;
}

/** Escapes text for SVG markup. */
function esc(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

/** A number with 3 significant digits ("—" when undefined). */
function fmt3(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) { return "—"; }
  if (value === 0) { return "0"; }
  if (Math.abs(value) >= 1000) { return String(Number(value.toPrecision(3))); }
  return value.toPrecision(3);
}

/** An interval "low to high" with 3 significant digits. */
function fmtInterval(low, high) {
  if (low === null || low === undefined || high === null || high === undefined) { return "—"; }
  return `${fmt3(low)} to ${fmt3(high)}`;
}

async function getJSON(url) {
  const response = await fetch(url, { headers: { accept: "application/json" } });
  const body = await response.json().catch(() => ({}));
  return { status: response.status, body };
}

async function sendJSON(method, url, value) {
  const response = await fetch(url, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(value) });
  const body = await response.json().catch(() => ({}));
  return { status: response.status, body };
}

// ---------------------------------------------------------------------------
// URL hash: #s=<base64url(JSON state)>&p=1
// ---------------------------------------------------------------------------

function base64urlEncode(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const byte of bytes) { binary += String.fromCharCode(byte); }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function base64urlDecode(text) {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  let state = null;
  let broken = false;
  if (params.get("s")) {
    try { state = JSON.parse(base64urlDecode(params.get("s"))); } catch (error) { broken = true; }
  }
  return { state, broken, projector: params.get("p") === "1" };
}

function writeHash() {
  const parts = [];
  if (app.state) { parts.push("s=" + base64urlEncode(JSON.stringify(app.state))); }
  if (app.projector) { parts.push("p=1"); }
  history.replaceState(null, "", "#" + parts.join("&"));
}

// ---------------------------------------------------------------------------
// Scenarios: list, controls, default state
// ---------------------------------------------------------------------------

async function loadScenarioList() {
  const { status, body } = await getJSON("/api/scenarios");
  if (status !== 200) { throw new Error(`GET /api/scenarios answered ${status}`); }
  const select = $("#scenario");
  select.replaceChildren(...body.scenarios.map((s) => el("option", { value: s.id, text: s.id, title: s.description })));
  select.value = body.initial;
  const note = $("#host-note");
  note.hidden = !body.host_note;
  note.textContent = body.host_note || "";
  return body;
}

/** The controls of scenario `id`, fetched once. */
async function fetchScenario(id) {
  if (!app.scenarios.has(id)) {
    const { status, body } = await getJSON(`/api/scenario/${encodeURIComponent(id)}`);
    if (status !== 200) { throw new Error(`GET /api/scenario/${id} answered ${status}: ${body.message || ""}`); }
    app.scenarios.set(id, body);
  }
  return app.scenarios.get(id);
}

/** Makes scenario `id` (already fetched) the one the controls are built from. */
function useScenario(id) {
  const sc = app.scenarios.get(id);
  if (app.scenario !== sc) {
    app.scenario = sc;
    renderScenarioHeader();
  }
  return sc;
}

function headlineMetrics() {
  return app.scenario.metrics.filter((m) => m.headline);
}

/** An arm from the scenario's first intervention arm. */
function defaultArm(name, colour) {
  const first = app.scenario.arms[0] || { name: "what-if", interventions: [] };
  return { name, colour, note: "", interventions: clone(first.interventions) };
}

/** The state a scenario starts from. */
function defaultState(sc) {
  const first = sc.arms[0] ? sc.arms[0].name : "what-if";
  const headline = sc.metrics.find((m) => m.headline) || sc.metrics[0];
  return {
    scenario: sc.id,
    reps: sc.reps.default,
    seed: sc.seed,
    unlocked: false,
    market: Object.fromEntries(sc.market.map((m) => [m.key, m.value])),
    arms: [defaultArm(first, 1)],
    predict: { on: false, metric: headline ? headline.name : "", guesses: {}, revealed: false },
  };
}

function renderScenarioHeader() {
  const sc = app.scenario;
  $("#scenario").value = sc.id;
  $("#description").textContent = sc.description;
  $("#source-list").replaceChildren(...sc.sources.map((s) => el("li", { text: s })));
  $("#sources").hidden = sc.sources.length === 0;
  $("#baseline-title").textContent = `Baseline: ${sc.baseline.name}`;
  $("#baseline-description").textContent = sc.baseline.description;
  $("#reps").min = sc.reps.min;
  $("#reps").max = sc.reps.max;
  $("#predict-metric").replaceChildren(...headlineMetrics().map((m) => el("option", { value: m.name, text: `${m.label} ${unitSuffix(m.unit)}` })));
}

// ---------------------------------------------------------------------------
// Editing the local state
// ---------------------------------------------------------------------------

/** Sets state[path] where path is "a/b/0/c" (market keys contain dots, never "/"). */
function setPath(path, value) {
  const keys = path.split("/");
  let node = app.state;
  for (const key of keys.slice(0, -1)) { node = node[key]; }
  const last = keys[keys.length - 1];
  if (value === undefined) { delete node[last]; } else { node[last] = value; }
}

function getPath(path) {
  return path.split("/").reduce((node, key) => (node === undefined || node === null ? undefined : node[key]), app.state);
}

/** The value an input holds, in the type its data-type says. */
function inputValue(input) {
  const type = input.dataset.type;
  if (type === "bool") { return input.checked; }
  if (type === "number" || type === "integer" || type === "day" || type === "guess") {
    if (input.value.trim() === "") { return type === "guess" ? undefined : null; }
    const number = Number(input.value);
    return Number.isFinite(number) ? number : null;
  }
  return input.value;
}

/** The target object of the target control that holds `input`. */
function targetValue(input) {
  const box = input.closest(".target-input");
  const kind = $(".target-kind", box).value;
  const raw = $(".target-value", box).value;
  return { [kind]: kind === "top_k" ? Number(raw) : raw };
}

function onControlInput(event) {
  const input = event.target;
  if (!input.dataset || !input.dataset.path || !app.state) { return; }
  if (input.classList.contains("target-kind")) { return; } // handled on change (rebuilds the value control)
  const value = input.closest(".target-input") ? targetValue(input) : inputValue(input);
  setPath(input.dataset.path, value);
  localEdit(false);
}

/** After a change of the local state: re-render when the structure changed, then send. */
function localEdit(structural) {
  app.editSeq += 1;
  if (structural) { renderControls(); }
  scheduleSend();
}

// ---------------------------------------------------------------------------
// Sending the state (debounced POST /api/state)
// ---------------------------------------------------------------------------

function scheduleSend() {
  clearTimeout(app.sendTimer);
  app.sendTimer = setTimeout(sendState, DEBOUNCE_MS);
}

async function sendState() {
  app.sendTimer = null;
  if (app.sending) { scheduleSend(); return; }
  app.sending = true;
  app.sentSeq = app.editSeq;
  try {
    const { status, body } = await sendJSON("POST", "/api/state", app.state);
    handleSendAnswer(status, body);
  } catch (error) {
    showFailure(`The server could not be reached (${error.message}); your change is kept and sent again.`);
    setTimeout(scheduleSend, RETRY_MS);
  } finally {
    app.sending = false;
  }
}

function handleSendAnswer(status, body) {
  if (status === 200) {
    app.acceptedSeq = Math.max(app.acceptedSeq, app.sentSeq);
    app.revision = Math.max(app.revision, body.revision);
    app.problems = [];
    app.failure = null;
    renderProblems();
    if (!isDirty()) { applyServerState(); }
  } else if (status === 422 || status === 400) {
    app.problems = body.problems || [{ where: {}, message: `refused (${status})` }];
    renderProblems();
  } else if (status === 429) {
    setTimeout(scheduleSend, RETRY_MS);
  } else {
    app.problems = [{ where: {}, message: status === 413 ? "The state is too large (over 64 KiB)." : `The server answered ${status}.` }];
    renderProblems();
  }
}

/** Whether the user made changes the server has not accepted yet. */
function isDirty() {
  return app.editSeq > app.acceptedSeq;
}

// ---------------------------------------------------------------------------
// Problems (422 answers and failed runs)
// ---------------------------------------------------------------------------

/** The control a problem's `where` points at, or null for the top list. */
function problemTarget(where) {
  if (where.market !== undefined) { return $(`#market [data-field="${CSS.escape(where.market)}"]`); }
  if (where.arm === undefined) { return null; }
  const card = $(`.arm-card[data-arm="${where.arm}"]`);
  if (!card) { return null; }
  if (where.intervention === undefined) { return where.field ? $(`:scope > .arm-head [data-field="${CSS.escape(where.field)}"], :scope > .arm-foot [data-field="${CSS.escape(where.field)}"]`, card) : card; }
  const box = $(`.intervention[data-intervention="${where.intervention}"]`, card);
  if (!box) { return null; }
  return (where.field && $(`[data-field="${CSS.escape(where.field)}"]`, box)) || box;
}

function describeWhere(where) {
  if (where.setting) { return `${where.setting}: `; }
  if (where.arm !== undefined) { return `what-if ${where.arm + 1}${where.field ? " " + where.field : ""}: `; }
  return "";
}

function renderProblems() {
  $$(".problem").forEach((node) => node.remove());
  $$("[aria-invalid]").forEach((node) => node.removeAttribute("aria-invalid"));
  const top = [];
  for (const problem of app.problems) {
    const where = problem.where || {};
    const target = problemTarget(where);
    if (target) {
      target.setAttribute("aria-invalid", "true");
      target.after(el("span", { className: "problem", role: "alert", text: problem.message }));
    } else {
      top.push(describeWhere(where) + problem.message);
    }
  }
  if (app.failure) { top.push(app.failure); }
  const box = $("#problems");
  box.replaceChildren(...top.map((text) => el("p", { text })));
  box.hidden = top.length === 0;
}

function showFailure(message) {
  app.failure = message;
  renderProblems();
}

// ---------------------------------------------------------------------------
// Field controls (one FIELD of a kind or of the market)
// ---------------------------------------------------------------------------

/** The input for a number, integer, bool or when FIELD. */
function plainInput(field, id, path, value) {
  const datasetBase = { path, field: field.field || field.key };
  if (field.type === "bool") {
    return el("input", { type: "checkbox", id, checked: Boolean(value), dataset: { ...datasetBase, type: "bool" } });
  }
  if (field.type === "when" && app.scenario.start_date) {
    return el("input", { type: "date", id, value: value ?? "", min: field.min, max: field.max, dataset: { ...datasetBase, type: "date" } });
  }
  const type = field.type === "when" ? "day" : field.type;
  const step = field.step ?? (type === "number" ? "any" : 1);
  return el("input", { type: "number", id, value: value ?? "", min: field.min, max: field.max, step, dataset: { ...datasetBase, type } });
}

/** The two selects (or select and number) of a target FIELD. */
function targetInput(field, id, path, value) {
  const choices = field.choices || {};
  const current = value && typeof value === "object" ? value : clone(field.default || {});
  const kind = Object.keys(current)[0] || Object.keys(choices)[0];
  const kindSelect = el("select", { id, className: "target-kind", "aria-label": `${field.label}: kind`, dataset: { path } },
    Object.keys(choices).map((k) => el("option", { value: k, text: k.replace("_", " "), selected: k === kind })));
  return el("span", { className: "target-input", dataset: { field: field.field } }, [kindSelect, targetValueInput(choices, kind, current[kind], path, field.label)]);
}

function targetValueInput(choices, kind, value, path, label) {
  const attrs = { className: "target-value", "aria-label": `${label}: ${kind.replace("_", " ")}`, dataset: { path } };
  if (kind === "top_k") {
    const range = choices.top_k || {};
    return el("input", { type: "number", min: range.min, max: range.max, step: 1, value: value ?? range.min ?? 1, ...attrs });
  }
  const options = choices[kind] || [];
  return el("select", attrs, options.map((v) => el("option", { value: v, text: v, selected: v === value })));
}

/** Replaces the value control when the kind of a target changes. */
function onTargetKindChange(select) {
  const box = select.closest(".target-input");
  const intervention = box.closest(".intervention");
  const field = fieldsOfKind(getPath(intervention.dataset.path).kind).find((f) => f.field === box.dataset.field);
  const choices = field ? field.choices : {};
  const first = select.value === "top_k" ? (choices.top_k || {}).min ?? 1 : (choices[select.value] || [])[0];
  $(".target-value", box).replaceWith(targetValueInput(choices, select.value, first, select.dataset.path, field ? field.label : "Target"));
  setPath(select.dataset.path, targetValue(select));
  localEdit(false);
}

/** A labelled control with unit and help line. */
function fieldRow(field, id, path, value) {
  const input = field.type === "target" ? targetInput(field, id, path, value) : plainInput(field, id, path, value);
  if (field.help) { input.title = field.help; }
  const unit = field.unit ? el("span", { className: "unit", text: ` (${field.unit})` }) : null;
  return el("div", { className: `field field-${field.type}` }, [
    el("label", { htmlFor: id }, [field.label, unit]),
    input,
    field.help ? el("small", { className: "help", text: field.help }) : null,
  ]);
}

function fieldsOfKind(kind) {
  const found = app.scenario.kinds.find((k) => k.kind === kind);
  return found ? found.fields : [];
}

// ---------------------------------------------------------------------------
// Rendering the controls from the local state
// ---------------------------------------------------------------------------

/** Rebuilds every control from app.state, keeping the focused input as the user left it. */
function renderControls() {
  const focus = captureFocus();
  $("#reps").value = app.state.reps;
  $("#seed").value = app.state.seed;
  $("#scenario").value = app.state.scenario;
  renderMarket();
  renderArms();
  renderPredict();
  restoreFocus(focus);
  renderProblems();
}

function captureFocus() {
  const active = document.activeElement;
  if (!active || !active.dataset || !active.dataset.path) { return null; }
  const selector = active.id ? `#${CSS.escape(active.id)}` : `[data-path="${CSS.escape(active.dataset.path)}"]${active.className ? "." + active.className.split(" ")[0] : ""}`;
  return { selector, value: active.value, checked: active.checked };
}

function restoreFocus(focus) {
  if (!focus) { return; }
  const input = $(focus.selector);
  if (!input) { return; }
  if (input.type === "checkbox") { input.checked = focus.checked; } else { input.value = focus.value; }
  input.focus({ preventScroll: true });
}

function renderMarket() {
  const locked = !app.state.unlocked;
  $("#lock").textContent = locked ? "Unlock baseline" : "Lock baseline";
  $("#lock").setAttribute("aria-pressed", String(!locked));
  $("#unlock-warning").hidden = locked;
  $("#baseline-card").classList.toggle("unlocked", !locked);
  const rows = app.scenario.market.map((field, i) => {
    const row = fieldRow(field, `market-${i}`, `market/${field.key}`, app.state.market[field.key]);
    $$("input, select", row).forEach((input) => { input.disabled = locked; });
    return row;
  });
  $("#market").replaceChildren(...rows);
}

function renderArms() {
  const arms = app.state.arms;
  $("#arms").replaceChildren(...arms.map((arm, i) => armCard(arm, i, arms.length)));
  $("#add-arm").disabled = arms.length >= MAX_ARMS;
}

function armCard(arm, i, count) {
  const colour = PALETTE[arm.colour] || PALETTE[1];
  const head = el("div", { className: "arm-head" }, [
    el("span", { className: "swatch", style: `background:${colour}` }),
    el("label", { htmlFor: `a${i}-name` }, ["What-if name", el("span", { className: "unit", text: " (1–40 letters, digits, space, - _ +)" })]),
    el("input", { type: "text", id: `a${i}-name`, value: arm.name, maxLength: 40, dataset: { path: `arms/${i}/name`, field: "name", type: "text" } }),
    el("div", { className: "arm-buttons" }, [
      el("button", { type: "button", className: "duplicate", text: "Duplicate", disabled: count >= MAX_ARMS, title: "Copy this what-if into a new one" }),
      count > 1 ? el("button", { type: "button", className: "remove", text: "Remove", title: "Remove this what-if" }) : null,
    ]),
  ]);
  const interventions = arm.interventions.map((iv, j) => interventionBox(iv, i, j, arm.interventions.length));
  const foot = el("div", { className: "arm-foot" }, [
    el("button", { type: "button", className: "add-intervention", text: "Add intervention" }),
    el("label", { htmlFor: `a${i}-note` }, ["Note", el("span", { className: "unit", text: " (free text, for the room)" })]),
    el("textarea", { id: `a${i}-note`, rows: 2, value: arm.note || "", dataset: { path: `arms/${i}/note`, field: "note", type: "text" } }),
  ]);
  return el("article", { className: "arm-card", style: `border-color:${colour}`, dataset: { arm: String(i), colour: String(arm.colour) } },
    [head, ...interventions, foot]);
}

function interventionBox(iv, i, j, count) {
  const path = `arms/${i}/interventions/${j}`;
  const kinds = app.scenario.kinds;
  const kind = kinds.find((k) => k.kind === iv.kind);
  const kindRow = el("div", { className: "field field-kind" }, [
    el("label", { htmlFor: `a${i}-i${j}-kind`, text: "Kind" }),
    el("select", { id: `a${i}-i${j}-kind`, className: "kind-select", dataset: { field: "kind", arm: String(i), intervention: String(j) } },
      kinds.map((k) => el("option", { value: k.kind, text: k.label, selected: k.kind === iv.kind }))),
    el("small", { className: "help", text: kind ? kind.help : "" }),
  ]);
  const rows = fieldsOfKind(iv.kind).map((f) => fieldRow(f, `a${i}-i${j}-${f.field}`, `${path}/${f.field}`, iv[f.field]));
  const remove = count > 1 ? el("button", { type: "button", className: "remove-intervention", text: "Remove intervention" }) : null;
  return el("fieldset", { className: "intervention", dataset: { intervention: String(j), path } },
    [el("legend", { text: `Intervention ${j + 1}` }), kindRow, ...rows, remove]);
}

// ---------------------------------------------------------------------------
// Structural edits: arms and interventions
// ---------------------------------------------------------------------------

function nextColour() {
  const used = new Set(app.state.arms.map((a) => a.colour));
  return [1, 2, 3, 4].find((c) => !used.has(c)) || 1;
}

/** `base`, or `base 2`, `base 3`… : a name no arm has (and not the baseline's). */
function uniqueName(base) {
  const taken = new Set(app.state.arms.map((a) => a.name).concat(app.scenario.baseline.name));
  const stem = base.slice(0, 36);
  if (!taken.has(stem)) { return stem; }
  for (let n = 2; ; n += 1) {
    if (!taken.has(`${stem} ${n}`)) { return `${stem} ${n}`; }
  }
}

function addArm() {
  if (app.state.arms.length >= MAX_ARMS) { return; }
  const first = app.scenario.arms[0] ? app.scenario.arms[0].name : "what-if";
  app.state.arms.push(defaultArm(uniqueName(first), nextColour()));
  localEdit(true);
}

function duplicateArm(i) {
  if (app.state.arms.length >= MAX_ARMS) { return; }
  const copy = clone(app.state.arms[i]);
  copy.name = uniqueName(copy.name);
  copy.colour = nextColour();
  app.state.arms.splice(i + 1, 0, copy);
  localEdit(true);
}

function removeArm(i) {
  if (app.state.arms.length <= 1) { return; }
  const [gone] = app.state.arms.splice(i, 1);
  delete app.state.predict.guesses[gone.name];
  localEdit(true);
}

/** A new intervention of `kind` with its defaults; `start` keeps its value. */
function interventionOfKind(kind, previous) {
  const iv = { kind };
  for (const field of fieldsOfKind(kind)) { iv[field.field] = clone(field.default); }
  if (previous && previous.start !== undefined && "start" in iv) { iv.start = previous.start; }
  return iv;
}

function changeKind(i, j, kind) {
  const list = app.state.arms[i].interventions;
  list[j] = interventionOfKind(kind, list[j]);
  localEdit(true);
}

function addIntervention(i) {
  const list = app.state.arms[i].interventions;
  const last = list[list.length - 1];
  list.push(last ? clone(last) : interventionOfKind(app.scenario.kinds[0].kind, null));
  localEdit(true);
}

function removeIntervention(i, j) {
  app.state.arms[i].interventions.splice(j, 1);
  localEdit(true);
}

/** Click handler for the buttons inside the arm cards. */
function onArmsClick(event) {
  const button = event.target.closest("button");
  if (!button) { return; }
  const i = Number(button.closest(".arm-card").dataset.arm);
  const box = button.closest(".intervention");
  if (button.classList.contains("duplicate")) { duplicateArm(i); }
  if (button.classList.contains("remove")) { removeArm(i); }
  if (button.classList.contains("add-intervention")) { addIntervention(i); }
  if (button.classList.contains("remove-intervention")) { removeIntervention(i, Number(box.dataset.intervention)); }
}

function onArmsChange(event) {
  const target = event.target;
  if (target.classList.contains("kind-select")) {
    changeKind(Number(target.dataset.arm), Number(target.dataset.intervention), target.value);
  } else if (target.classList.contains("target-kind")) {
    onTargetKindChange(target);
  }
}

// ---------------------------------------------------------------------------
// Settings, lock, scenario
// ---------------------------------------------------------------------------

function toggleLock() {
  if (!app.state) { return; }
  app.state.unlocked = !app.state.unlocked;
  if (!app.state.unlocked && app.serverEvent) {
    app.state.market = clone(app.serverEvent.state.market); // locking again keeps the room's market
  }
  localEdit(true);
}

async function changeScenario() {
  const id = $("#scenario").value;
  await fetchScenario(id);
  const sc = useScenario(id);
  app.state = defaultState(sc);
  app.problems = [];
  localEdit(true);
}

// ---------------------------------------------------------------------------
// Predict, then reveal
// ---------------------------------------------------------------------------

function predictHidesResults() {
  const p = app.state && app.state.predict;
  return Boolean(p && p.on && !p.revealed);
}

function startRound() {
  app.revealedAt = 0;
  app.state.predict = { on: true, metric: $("#predict-metric").value, guesses: {}, revealed: false };
  localEdit(true);
}

function reveal() {
  app.state.predict.revealed = true;
  localEdit(true);
}

function endRound() {
  app.state.predict = { ...app.state.predict, on: false };
  localEdit(true);
}

function renderPredict() {
  const p = app.state.predict;
  $("#predict-metric").value = p.metric;
  $("#predict-metric").disabled = p.on && p.revealed;
  $("#predict").hidden = p.on;
  $("#reveal").hidden = !(p.on && !p.revealed);
  $("#predict-end").hidden = !p.on;
  $("#guesses").replaceChildren(...(p.on && !p.revealed ? guessInputs(p) : []));
  renderResultsVisibility();
  renderPredictResult();
}

function metricInfo(name) {
  return app.scenario.metrics.find((m) => m.name === name) || { name, label: name, unit: "" };
}

function guessInputs(p) {
  const metric = metricInfo(p.metric);
  const intro = el("p", { text: `Type the room's guess of "${metric.label}" ${unitSuffix(metric.unit)} for each what-if, then press Reveal.` });
  const rows = app.state.arms.map((arm, i) => el("div", { className: "field guess-row" }, [
    el("label", { htmlFor: `guess-${i}` }, [el("span", { className: "swatch", style: `background:${PALETTE[arm.colour]}` }), `${arm.name} `, el("span", { className: "unit", text: `${unitSuffix(metric.unit)}` })]),
    el("input", { type: "number", step: "any", id: `guess-${i}`, className: "guess", value: p.guesses[arm.name] ?? "",
      dataset: { arm: arm.name, path: `predict/guesses/${arm.name}`, type: "guess" } }),
  ]));
  return [intro, ...rows];
}

/** After the reveal: each guess next to the model's estimate and interval. */
function renderPredictResult() {
  const p = app.state.predict;
  const box = $("#predict-result");
  if (!(p.on && p.revealed)) { box.replaceChildren(); return; }
  const metric = metricInfo(p.metric);
  const head = el("tr", {}, ["What-if", "Room's guess", "Model estimate", "95% interval", "Guess inside?"].map((t) => el("th", { scope: "col", text: t })));
  const rows = app.state.arms.map((arm) => revealRow(arm, p));
  const status = app.results && app.results.final ? "" : " (provisional: the run is not finished)";
  const recorded = app.revealedAt ? el("p", { className: "help", text: `Round recorded (revision ${app.revealedAt}): it is in the prediction rounds export.` }) : null;
  box.replaceChildren(el("h3", { text: `${metric.label} ${unitSuffix(metric.unit)}: guesses and model${status}` }),
    el("table", { className: "reveal-table" }, [el("thead", {}, head), el("tbody", {}, rows)]), recorded ?? "");
}

function revealRow(arm, p) {
  const guess = p.guesses[arm.name];
  const effect = app.results ? app.results.effects.find((e) => e.arm === arm.name && e.metric === p.metric) : null;
  let inside = "—";
  if (effect && typeof guess === "number" && effect.ci_low !== null && effect.ci_high !== null) {
    inside = guess >= effect.ci_low && guess <= effect.ci_high ? "yes, inside" : "no, outside";
  }
  return el("tr", { dataset: { arm: arm.name } }, [
    el("td", {}, [el("span", { className: "swatch", style: `background:${PALETTE[arm.colour]}` }), arm.name]),
    el("td", { className: "guess-value", text: typeof guess === "number" ? fmt3(guess) : "no guess" }),
    el("td", { className: "estimate", text: effect ? fmt3(effect.estimate) : "—" }),
    el("td", { text: effect ? fmtInterval(effect.ci_low, effect.ci_high) : "—" }),
    el("td", { className: "inside", text: inside }),
  ]);
}

function renderResultsVisibility() {
  const hidden = predictHidesResults();
  $("#results").hidden = hidden;
  $("#results-hidden").hidden = !hidden;
  if (!hidden && app.results) { renderResults(); }
}

// ---------------------------------------------------------------------------
// Events from the server (/api/events)
// ---------------------------------------------------------------------------

function openEvents() {
  const source = new EventSource("/api/events");
  const handle = (name, fn) => source.addEventListener(name, (event) => {
    const data = JSON.parse(event.data);
    app.queue = app.queue.then(() => fn(data)).catch((error) => showFailure(`Could not show the ${name} event: ${error.message}`));
  });
  handle("state", onStateEvent);
  handle("results", onResultsEvent);
  handle("progress", onProgressEvent);
  handle("failed", onFailedEvent);
  handle("reveal", onRevealEvent);
  source.addEventListener("open", () => { app.queue = app.queue.then(onConnected); });
  source.addEventListener("error", () => { $("#connection").hidden = false; });
}

/** (Re)connected: the server sends its current state and results first, whatever their revision
 * (a restarted server counts revisions from 1 again). */
function onConnected() {
  $("#connection").hidden = true;
  app.serverEvent = null;
  app.revision = 0;
}

/** What a run depends on: the state without the prediction round and notes. */
function runKey(state) {
  const copy = clone(state);
  delete copy.predict;
  copy.arms.forEach((arm) => { delete arm.note; });
  return JSON.stringify(copy);
}

async function onStateEvent(event) {
  if (app.serverEvent && event.revision <= app.serverEvent.revision) { return; }
  await fetchScenario(event.state.scenario);
  app.serverEvent = event;
  app.revision = Math.max(app.revision, event.revision);
  app.runKeys.set(event.revision, runKey(event.state));
  if (isDirty() && app.state && app.state.scenario !== event.state.scenario) { dropLocalEdits(); }
  if (!isDirty()) { applyServerState(); }
  markOutdatedCharts();
}

/** The room moved to another scenario: edits made for the old one no longer apply. */
function dropLocalEdits() {
  clearTimeout(app.sendTimer);
  app.acceptedSeq = app.editSeq;
  app.problems = [];
}

/** Adopts the newest server state as the local one (when the user has no pending edit). */
function applyServerState() {
  const event = app.serverEvent;
  if (!event || event.revision < app.revision) { return; }
  useScenario(event.state.scenario);
  const same = app.state && JSON.stringify(app.state) === JSON.stringify(event.state);
  app.state = clone(event.state);
  if (!same) { renderControls(); }
  $("#command").textContent = event.command;
  writeHash();
}

function onResultsEvent(results) {
  if (results.revision < app.revision) { return; } // stale
  app.results = results;
  app.failure = null;
  renderProblems();
  setProgress(results.revision, results.done, results.total, results.final ? "final" : "running");
  if (!predictHidesResults()) { renderResults(); }
  renderPredictResult();
}

function onProgressEvent(progress) {
  if (progress.revision < app.revision) { return; }
  setProgress(progress.revision, progress.done, progress.total, "running");
}

function onFailedEvent(failed) {
  if (failed.revision < app.revision) { return; }
  showFailure(`The run of revision ${failed.revision} failed: ${failed.message}`);
  setProgress(failed.revision, 0, 0, "failed");
}

function onRevealEvent(event) {
  app.revealedAt = event.revision;
  renderPredictResult();
}

function setProgress(revision, done, total, status) {
  const line = $("#progress");
  line.dataset.revision = String(revision);
  line.dataset.done = String(done);
  line.dataset.total = String(total);
  line.dataset.final = String(status === "final");
  line.dataset.status = status;
  const texts = {
    final: `Final: ${total} of ${total} replications (revision ${revision}).`,
    running: `Running: ${done} of ${total} replications done (revision ${revision}); intervals tighten as more finish…`,
    failed: `Failed (revision ${revision}): see the message above.`,
  };
  line.textContent = texts[status];
  line.className = `status-${status}`;
}

/** Fades the charts while they show an older run than the room's state. */
function markOutdatedCharts() {
  const shown = app.results ? app.runKeys.get(app.results.revision) : undefined;
  const current = app.serverEvent ? app.runKeys.get(app.serverEvent.revision) : undefined;
  $("#results").classList.toggle("outdated", Boolean(app.results && shown !== current));
}

// ---------------------------------------------------------------------------
// Results: charts, effects table, interval plots
// ---------------------------------------------------------------------------

function renderResults() {
  const results = app.results;
  renderCharts(results);
  $("#chart-notes").replaceChildren(...results.notes.map((n) => el("li", { text: n })));
  renderEffects(results);
  renderIntervalPlots(results);
  markOutdatedCharts();
}

/** Keeps one figure per chart name and redraws the SVG inside it. */
function renderCharts(results) {
  const grid = $("#charts");
  const names = results.charts.map((c) => c.name);
  if ($$("figure", grid).map((f) => f.dataset.chart).join("|") !== names.join("|")) {
    grid.replaceChildren(...results.charts.map((c) => chartFigure(c.name, c.label)));
  }
  for (const chart of results.charts) {
    const svg = $(`svg.chart[data-chart="${CSS.escape(chart.name)}"]`, grid);
    svg.innerHTML = chartMarkup(chart, results, chartStyle());
    svg.setAttribute("aria-label", `${chart.label} (${chart.unit})`);
  }
}

function chartFigure(name, label) {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("class", "chart");
  svg.setAttribute("data-chart", name);
  svg.setAttribute("viewBox", `0 0 ${CHART.width} ${CHART.height}`);
  svg.setAttribute("role", "img");
  const buttons = el("div", { className: "chart-buttons" }, [
    el("button", { type: "button", className: "export-svg", text: "SVG", title: `Download "${label}" as SVG`, dataset: { chart: name } }),
    el("button", { type: "button", className: "export-png", text: "PNG", title: `Download "${label}" as PNG`, dataset: { chart: name } }),
  ]);
  return el("figure", { className: "chart-box", dataset: { chart: name } }, [svg, buttons]);
}

// ---------------------------------------------------------------------------
// Chart drawing (SVG markup strings: cheap to rebuild)
// ---------------------------------------------------------------------------

const CHART = { width: 640, height: 440 };

/** Sizes of the chart's text and lines, and the margins they need (projector: larger). */
function chartStyle() {
  const base = app.projector
    ? { font: 20, title: 24, line: 4, band: 0.2, axis: 2 }
    : { font: 12, title: 15, line: 2, band: 0.15, axis: 1 };
  return { ...base, left: Math.round(base.font * 5.5) + 6, right: 16, top: base.title + 2 * base.font + 26, bottom: 2 * base.font + 24 + 3 * (base.font + 10) + 10 }; // room for three legend rows
}

/** The full inner markup of one chart. */
function chartMarkup(chart, results, style) {
  const n = results.days.length;
  const range = valueRange(chart.arms);
  const x = (i) => style.left + (n > 1 ? i / (n - 1) : 0.5) * (CHART.width - style.left - style.right);
  const plotBottom = CHART.height - style.bottom;
  const ticks = niceTicks(range.min, range.max);
  const lo = ticks[0];
  const hi = ticks[ticks.length - 1];
  const y = (v) => plotBottom - ((v - lo) / (hi - lo || 1)) * (plotBottom - style.top);
  const parts = [
    `<rect width="${CHART.width}" height="${CHART.height}" fill="#ffffff"/>`,
    `<text x="${style.left}" y="${style.title + 4}" font-size="${style.title}" font-weight="bold">${esc(chart.label)}</text>`,
    `<text x="${style.left}" y="${style.title + style.font + 12}" font-size="${style.font}" fill="#333">${esc(chart.unit)}</text>`,
    yAxis(ticks, y, style),
    xAxis(results.days, x, style),
  ];
  if (!range.any) { parts.push(`<text x="${CHART.width / 2}" y="${CHART.height / 2}" text-anchor="middle" font-size="${style.font}">no data yet</text>`); }
  parts.push(marksMarkup(results.marks, x, style));
  for (const arm of chart.arms) { parts.push(bandMarkup(arm, x, y, style)); }
  for (const arm of chart.arms) { parts.push(lineMarkup(arm, x, y, style)); }
  parts.push(legendMarkup(chart.arms, style));
  return `<g font-family="${FONT_FAMILY}">${parts.join("")}</g>`;
}

function valueRange(arms) {
  let min = Infinity;
  let max = -Infinity;
  for (const arm of arms) {
    for (const list of [arm.low, arm.high, arm.mean]) {
      for (const v of list) {
        if (v !== null && Number.isFinite(v)) { if (v < min) { min = v; } if (v > max) { max = v; } }
      }
    }
  }
  if (min === Infinity) { return { min: 0, max: 1, any: false }; }
  if (min > 0 && min < max * 0.5) { min = 0; }
  if (min === max) { min -= 1; max += 1; }
  return { min, max, any: true };
}

/** Round ticks covering [min, max]: the finest round step giving at most `most` ticks (4–6 for 6). */
function niceTicks(min, max, most = 6) {
  if (!(max > min)) { return niceTicks(min - 1, max + 1, most); }
  const power = 10 ** Math.floor(Math.log10((max - min) / most));
  const count = (s) => Math.ceil(max / s - 1e-9) - Math.floor(min / s + 1e-9) + 1;
  const step = [1, 2, 2.5, 5, 10, 20].map((m) => m * power).find((s) => count(s) <= most) || 20 * power;
  const first = Math.floor(min / step + 1e-9) * step;
  const ticks = [];
  for (let v = first; v < max + step - 1e-9 * step; v += step) { ticks.push(Number(v.toPrecision(12))); }
  return ticks.length >= 2 ? ticks : [first, first + step];
}

function tickLabel(v) {
  const abs = Math.abs(v);
  if (abs >= 1e6) { return `${Number((v / 1e6).toPrecision(3))}M`; }
  if (abs >= 1e4) { return `${Number((v / 1e3).toPrecision(3))}k`; }
  return String(Number(v.toPrecision(4)));
}

function yAxis(ticks, y, style) {
  const x0 = style.left;
  const x1 = CHART.width - style.right;
  return ticks.map((t) => {
    const py = y(t).toFixed(1);
    return `<line x1="${x0}" x2="${x1}" y1="${py}" y2="${py}" stroke="#d0d0d0" stroke-width="${style.axis}"/>` +
      `<text x="${x0 - 6}" y="${py}" dy="0.35em" text-anchor="end" font-size="${style.font}">${esc(tickLabel(t))}</text>`;
  }).join("");
}

/** Indices and labels of the x ticks: month starts for dates, round numbers for days. */
function xTicks(days, style) {
  const most = Math.max(3, Math.min(6, Math.floor((CHART.width - style.left - style.right) / (style.font * 6))));
  if (typeof days[0] !== "string") {
    const ticks = niceTicks(0, Math.max(days.length - 1, 1), most).filter((t) => t <= days.length - 1);
    return ticks.map((t) => ({ index: t, label: `day ${days[t] ?? t}` }));
  }
  const starts = days.map((d, i) => ({ d, i })).filter(({ d }) => d.endsWith("-01"));
  const every = [1, 2, 3, 6, 12].find((k) => Math.ceil(starts.length / k) <= most) || 12;
  return starts.filter((_, k) => k % every === 0).map(({ d, i }, k) => {
    const month = Number(d.slice(5, 7));
    const label = k === 0 || month === 1 ? `${MONTHS[month - 1]} ${d.slice(0, 4)}` : MONTHS[month - 1];
    return { index: i, label };
  });
}

function xAxis(days, x, style) {
  const bottom = CHART.height - style.bottom;
  const axis = `<line x1="${style.left}" x2="${CHART.width - style.right}" y1="${bottom}" y2="${bottom}" stroke="#000" stroke-width="${style.axis}"/>`;
  return axis + xTicks(days, style).map(({ index, label }) => {
    const px = x(index).toFixed(1);
    return `<line x1="${px}" x2="${px}" y1="${bottom}" y2="${bottom + 5}" stroke="#000" stroke-width="${style.axis}"/>` +
      `<text x="${px}" y="${bottom + 8 + style.font}" text-anchor="middle" font-size="${style.font}">${esc(label)}</text>`;
  }).join("");
}

/** Runs of consecutive indices where every given series is defined. */
function definedRuns(series, n) {
  const runs = [];
  let start = -1;
  for (let i = 0; i <= n; i++) {
    const ok = i < n && series.every((s) => s[i] !== null && s[i] !== undefined && Number.isFinite(s[i]));
    if (ok && start < 0) { start = i; }
    if (!ok && start >= 0) { runs.push([start, i - 1]); start = -1; }
  }
  return runs;
}

function bandMarkup(arm, x, y, style) {
  const colour = PALETTE[arm.colour] || "#777";
  return definedRuns([arm.low, arm.high], arm.low.length).map(([a, b]) => {
    const points = [];
    for (let i = a; i <= b; i++) { points.push(`${x(i).toFixed(1)},${y(arm.high[i]).toFixed(1)}`); }
    for (let i = b; i >= a; i--) { points.push(`${x(i).toFixed(1)},${y(arm.low[i]).toFixed(1)}`); }
    return `<polygon points="${points.join(" ")}" fill="${colour}" fill-opacity="${style.band}" stroke="none"/>`;
  }).join("");
}

/** A dash pattern per colour, so that lines differ by more than colour. */
function dashFor(colour) {
  const dashes = { 2: "8 3", 3: "2 2", 4: "8 3 2 3" };
  return dashes[colour] ? ` stroke-dasharray="${dashes[colour]}"` : "";
}

function lineMarkup(arm, x, y, style) {
  const colour = PALETTE[arm.colour] || "#777";
  const dash = dashFor(arm.colour);
  return definedRuns([arm.mean], arm.mean.length).map(([a, b]) => {
    const points = [];
    for (let i = a; i <= b; i++) { points.push(`${x(i).toFixed(1)},${y(arm.mean[i]).toFixed(1)}`); }
    return `<polyline points="${points.join(" ")}" fill="none" stroke="${colour}" stroke-width="${style.line}"${dash} stroke-linejoin="round"><title>${esc(arm.name)}</title></polyline>`;
  }).join("");
}

/** Vertical dashed lines at the interventions' start days, each distinct label on its own line. */
function marksMarkup(marks, x, style) {
  // Each (arm, label) is labelled once, on its first day; repeats (sustained
  // pressure) get only their dashed line, so labels do not pile up.
  const byDay = new Map();
  const labelled = new Set();
  const ordered = marks.filter((m) => m.day !== null && m.day !== undefined).sort((a, b) => a.day - b.day);
  for (const mark of ordered) {
    if (!byDay.has(mark.day)) { byDay.set(mark.day, []); }
    const key = `${mark.arm}\u0000${mark.label}`;
    const list = byDay.get(mark.day);
    if (!labelled.has(key) && !list.some((m) => m.label === mark.label)) { list.push(mark); }
    labelled.add(key);
  }
  const bottom = CHART.height - style.bottom;
  return Array.from(byDay.entries()).map(([day, list]) => {
    const px = x(day);
    const widest = Math.max(...list.map((m) => Math.min(m.label.length, 40))) * (style.font - 1) * 0.62;
    const anchor = px + widest > CHART.width - style.right ? "end" : "start";
    const tx = (anchor === "end" ? px - 5 : px + 5).toFixed(1);
    const labels = list.map((mark, k) => `<text x="${tx}" y="${style.top + (k + 1) * (style.font + 2)}" text-anchor="${anchor}" font-size="${style.font - 1}" fill="${armColour(mark.arm)}" stroke="#ffffff" stroke-width="3" paint-order="stroke">${esc(shorten(mark.label, 40))}</text>`);
    return `<line x1="${px.toFixed(1)}" x2="${px.toFixed(1)}" y1="${style.top}" y2="${bottom}" stroke="#444" stroke-width="${style.axis}" stroke-dasharray="5 4"/>` + labels.join("");
  }).join("");
}

function shorten(text, max) {
  return text.length > max ? text.slice(0, max - 1) + "…" : text;
}

/** The legend under the x axis: a line sample and the arm's name, wrapped in rows. */
function legendMarkup(arms, style) {
  const items = [];
  let px = style.left;
  let py = CHART.height - style.bottom + 2 * style.font + 24;
  for (const arm of arms) {
    const width = 34 + arm.name.length * style.font * 0.62 + 18;
    if (px + width > CHART.width - style.right && px > style.left) { px = style.left; py += style.font + 10; }
    const colour = PALETTE[arm.colour] || "#777";
    items.push(`<line x1="${px}" x2="${px + 26}" y1="${py}" y2="${py}" stroke="${colour}" stroke-width="${style.line + 1}"${dashFor(arm.colour)}/>` +
      `<text x="${px + 32}" y="${py}" dy="0.35em" font-size="${style.font}">${esc(arm.name)}</text>`);
    px += width;
  }
  return items.join("");
}

// ---------------------------------------------------------------------------
// Effects table
// ---------------------------------------------------------------------------

/** Headline effects ordered by arm (as in the state) then metric (as in the scenario). */
function headlineEffects(results) {
  const headline = headlineMetrics().map((m) => m.name);
  const armOrder = app.state.arms.map((a) => a.name);
  const rank = (list, value) => (list.includes(value) ? list.indexOf(value) : list.length);
  return results.effects
    .filter((e) => headline.length === 0 || headline.includes(e.metric))
    .sort((a, b) => rank(armOrder, a.arm) - rank(armOrder, b.arm) || rank(headline, a.metric) - rank(headline, b.metric));
}

function armColour(name) {
  const arm = app.state.arms.find((a) => a.name === name);
  return PALETTE[arm ? arm.colour : 0];
}

function renderEffects(results) {
  const rows = headlineEffects(results).map((e) => effectRow(e, results.final));
  if (rows.length === 0) { rows.push(el("tr", {}, el("td", { colSpan: 5, text: "No effects yet." }))); }
  $("#effects tbody").replaceChildren(...rows);
}

/** " (unit)", or nothing for a plain number. */
function unitSuffix(unit) {
  return unit ? ` (${unit})` : "";
}

/**
 * One effect: the interval says what it runs over (replications, or the
 * parameter draws of an ensemble, whose count is then the n that matters);
 * the range over the assumptions is shown once the run is final (a partial
 * run has too few draws for it).
 */
function effectRow(e, final) {
  const draws = e.draws !== null && e.draws !== undefined && /draws/.test(e.interval);
  const count = draws ? `${e.draws} draws of ${e.n} replications` : `${e.n} replications`;
  const ensemble = final && e.ensemble_p05 !== null && e.ensemble_p05 !== undefined;
  return el("tr", { dataset: { arm: e.arm, metric: e.metric } }, [
    el("th", { scope: "row", className: "arm" }, [el("span", { className: "swatch", style: `background:${armColour(e.arm)}` }), e.arm]),
    el("td", { className: "metric" }, [e.label, el("span", { className: "unit", text: unitSuffix(e.unit) })]),
    el("td", { className: "estimate", text: fmt3(e.estimate), title: `${e.statistic} over ${count}` }),
    el("td", { className: "interval" }, [fmtInterval(e.ci_low, e.ci_high), el("small", { className: "interval-kind", text: ` ${e.interval}, ${count}` })]),
    el("td", { className: "ensemble" }, ensemble
      ? [fmtInterval(e.ensemble_p05, e.ensemble_p95), el("small", { text: ` range over assumptions (90% of ${e.draws} draws)` })]
      : ["—"]),
  ]);
}

// ---------------------------------------------------------------------------
// Interval plots under the table (dot + whisker per arm, one plot per metric)
// ---------------------------------------------------------------------------

function renderIntervalPlots(results) {
  const effects = headlineEffects(results);
  const figures = headlineMetrics().map((m) => {
    const rows = effects.filter((e) => e.metric === m.name);
    if (rows.length === 0) { return null; }
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("class", "interval-plot");
    svg.setAttribute("data-metric", m.name);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", `${m.label} ${unitSuffix(m.unit)} by what-if`);
    const height = 34 + rows.length * 30;
    svg.setAttribute("viewBox", `0 0 640 ${height}`);
    svg.innerHTML = intervalMarkup(rows, height, chartStyle());
    return el("figure", {}, [el("figcaption", { text: `${m.label} ${unitSuffix(m.unit)}` }), svg]);
  }).filter(Boolean);
  $("#interval-plots").replaceChildren(...figures);
}

function intervalMarkup(rows, height, style) {
  const values = [0];
  rows.forEach((e) => [e.estimate, e.ci_low, e.ci_high, e.ensemble_p05, e.ensemble_p95].forEach((v) => { if (v !== null && v !== undefined && Number.isFinite(v)) { values.push(v); } }));
  const ticks = niceTicks(Math.min(...values), Math.max(...values));
  const lo = ticks[0];
  const hi = ticks[ticks.length - 1];
  const left = 190;
  const right = 620;
  const x = (v) => left + ((v - lo) / (hi - lo || 1)) * (right - left);
  const axisY = height - 22;
  const parts = [`<rect width="640" height="${height}" fill="#fff"/>`];
  ticks.forEach((t) => parts.push(`<line x1="${x(t)}" x2="${x(t)}" y1="6" y2="${axisY}" stroke="${t === 0 ? "#000" : "#ddd"}" stroke-width="${t === 0 ? style.axis * 1.5 : style.axis}"/>` +
    `<text x="${x(t)}" y="${axisY + style.font + 4}" text-anchor="middle" font-size="${style.font}">${esc(tickLabel(t))}</text>`));
  rows.forEach((e, k) => parts.push(intervalRow(e, 22 + k * 30, x, left, style)));
  return `<g font-family="${FONT_FAMILY}">${parts.join("")}</g>`;
}

function intervalRow(e, py, x, left, style) {
  const colour = armColour(e.arm);
  const parts = [`<text x="${left - 10}" y="${py}" dy="0.35em" text-anchor="end" font-size="${style.font}">${esc(shorten(e.arm, 24))}</text>`];
  if (e.ensemble_p05 !== null && e.ensemble_p05 !== undefined) {
    parts.push(`<line x1="${x(e.ensemble_p05)}" x2="${x(e.ensemble_p95)}" y1="${py}" y2="${py}" stroke="${colour}" stroke-opacity="0.25" stroke-width="14"><title>range over assumptions</title></line>`);
  }
  if (e.ci_low !== null && e.ci_high !== null) {
    parts.push(`<line x1="${x(e.ci_low)}" x2="${x(e.ci_high)}" y1="${py}" y2="${py}" stroke="${colour}" stroke-width="${style.line}"/>` +
      `<line x1="${x(e.ci_low)}" x2="${x(e.ci_low)}" y1="${py - 6}" y2="${py + 6}" stroke="${colour}" stroke-width="${style.line}"/>` +
      `<line x1="${x(e.ci_high)}" x2="${x(e.ci_high)}" y1="${py - 6}" y2="${py + 6}" stroke="${colour}" stroke-width="${style.line}"/>`);
  }
  if (e.estimate !== null && Number.isFinite(e.estimate)) {
    parts.push(`<circle cx="${x(e.estimate)}" cy="${py}" r="5" fill="${colour}"><title>${esc(`${e.arm}: ${fmt3(e.estimate)}`)}</title></circle>`);
  }
  return parts.join("");
}

// ---------------------------------------------------------------------------
// Chart export: SVG string and PNG blob (2×, with the embedded font)
// ---------------------------------------------------------------------------

/** A standalone SVG document of one chart; with the font embedded when `fontDataUrl` is given. */
function chartSvgString(name, fontDataUrl) {
  const svg = $(`svg.chart[data-chart="${CSS.escape(name)}"]`);
  if (!svg) { throw new Error(`no chart named ${name}`); }
  const copy = svg.cloneNode(true);
  copy.setAttribute("xmlns", SVG_NS);
  copy.setAttribute("width", String(CHART.width));
  copy.setAttribute("height", String(CHART.height));
  copy.removeAttribute("class");
  if (fontDataUrl) {
    const style = document.createElementNS(SVG_NS, "style");
    style.textContent = `@font-face { font-family: "DejaVu Sans"; src: url(${fontDataUrl}) format("truetype"); }`;
    copy.insertBefore(style, copy.firstChild);
  }
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(copy);
}

/** The font as a data: URL, fetched once (images drawn from SVG cannot load other files). */
async function fontDataUrl() {
  if (!app.fontDataUrl) {
    const blob = await (await fetch("/assets/DejaVuSans.ttf")).blob();
    app.fontDataUrl = await new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result).replace(/^data:[^;]*;/, "data:font/ttf;"));
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(blob);
    });
  }
  return app.fontDataUrl;
}

/** Draws the chart's SVG at 2× on a canvas and resolves to a PNG blob. */
async function chartPngBlob(name) {
  const text = chartSvgString(name, await fontDataUrl());
  const url = URL.createObjectURL(new Blob([text], { type: "image/svg+xml" }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = el("canvas", { width: CHART.width * 2, height: CHART.height * 2 });
    const context = canvas.getContext("2d");
    context.scale(2, 2);
    context.drawImage(image, 0, 0, CHART.width, CHART.height);
    return await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  } finally {
    URL.revokeObjectURL(url);
  }
}

function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

async function onChartExport(event) {
  const button = event.target.closest(".export-svg, .export-png");
  if (!button) { return; }
  const name = button.dataset.chart;
  const stem = `${app.state.scenario}-${name}`;
  if (button.classList.contains("export-svg")) {
    download(new Blob([chartSvgString(name, null)], { type: "image/svg+xml" }), `${stem}.svg`);
  } else {
    download(await chartPngBlob(name), `${stem}.png`);
  }
}

// ---------------------------------------------------------------------------
// Exports and presets
// ---------------------------------------------------------------------------

/** effects.csv exists only for a finished run: say so instead of downloading an error. */
function onEffectsCsvClick(event) {
  const finished = app.results && app.results.final && app.results.revision >= app.revision;
  $("#export-note").textContent = finished ? "" : "The effects file is ready once the run is final (see the status line).";
  if (!finished) { event.preventDefault(); }
}

async function loadPresets() {
  const { status, body } = await getJSON("/api/presets");
  $("#presets").hidden = status !== 200;
  if (status !== 200) { return; }
  $("#presets-file").textContent = body.file;
  $("#preset").replaceChildren(...body.names.map((n) => el("option", { value: n, text: n })));
  $("#preset-load").disabled = body.names.length === 0;
}

async function loadPreset() {
  const name = $("#preset").value;
  if (!name) { return; }
  const { status, body } = await getJSON(`/api/presets/${encodeURIComponent(name)}`);
  if (status !== 200) { $("#preset-status").textContent = `Could not load "${name}": ${body.message || status}`; return; }
  await fetchScenario(body.scenario);
  useScenario(body.scenario);
  app.state = body;
  $("#preset-status").textContent = `Loaded "${name}".`;
  localEdit(true);
}

async function savePreset() {
  const name = $("#preset-name").value.trim();
  if (!PRESET_NAME.test(name)) { $("#preset-status").textContent = "A preset name has 1–64 letters, digits, spaces, - or _."; return; }
  const { status, body } = await sendJSON("PUT", `/api/presets/${encodeURIComponent(name)}`, app.state);
  if (status === 200) {
    $("#preset-status").textContent = `Saved "${name}".`;
    await loadPresets();
    $("#preset").value = name;
  } else {
    const problems = (body.problems || []).map((p) => describeWhere(p.where || {}) + p.message).join("; ");
    $("#preset-status").textContent = `Not saved (${status}): ${problems || body.message || ""}`;
  }
}

// ---------------------------------------------------------------------------
// Projector mode (per browser, in the hash as p=1)
// ---------------------------------------------------------------------------

function setProjector(on) {
  app.projector = on;
  document.body.classList.toggle("projector", on);
  $("#projector").setAttribute("aria-pressed", String(on));
  $("#projector").textContent = on ? "Leave projector mode" : "Projector mode";
  if (app.results && !predictHidesResults()) { renderResults(); }
}

function toggleProjector() {
  setProjector(!app.projector);
  writeHash();
}

// ---------------------------------------------------------------------------
// Start-up
// ---------------------------------------------------------------------------

/** Wraps a handler that needs the state: before the first state arrives it does nothing. */
function whenReady(handler) {
  return (event) => {
    if (app.state && app.scenario) { handler(event); }
  };
}

function bindEvents() {
  document.addEventListener("input", onControlInput);
  document.addEventListener("change", onControlInput);
  $("#arms").addEventListener("click", whenReady(onArmsClick));
  $("#arms").addEventListener("change", onArmsChange);
  $("#add-arm").addEventListener("click", whenReady(addArm));
  $("#lock").addEventListener("click", whenReady(toggleLock));
  $("#scenario").addEventListener("change", () => changeScenario().catch((e) => showFailure(e.message)));
  $("#predict").addEventListener("click", whenReady(startRound));
  $("#reveal").addEventListener("click", whenReady(reveal));
  $("#predict-end").addEventListener("click", whenReady(endRound));
  $("#projector").addEventListener("click", toggleProjector);
  $("#charts").addEventListener("click", (e) => onChartExport(e).catch((error) => showFailure(`Export failed: ${error.message}`)));
  $("#export-csv").addEventListener("click", onEffectsCsvClick);
  $("#preset-load").addEventListener("click", () => loadPreset().catch((e) => showFailure(e.message)));
  $("#preset-save").addEventListener("click", () => savePreset().catch((e) => showFailure(e.message)));
}

/** A state from the link becomes the room's state. */
async function adoptLinkState(state) {
  await fetchScenario(state.scenario);
  useScenario(state.scenario);
  app.state = state;
  localEdit(true);
  clearTimeout(app.sendTimer);
  await sendState();
}

async function init() {
  bindEvents();
  const link = readHash();
  setProjector(link.projector);
  const list = await loadScenarioList();
  if (list.presets_file) { loadPresets().catch(() => { $("#presets").hidden = true; }); } // no file: no section
  if (link.broken) { showFailure("The state in this link could not be read; showing the room's current state."); }
  if (link.state) { await adoptLinkState(link.state); }
  openEvents();
}

/** Hooks for tests and for the console. */
window.caasim = { app, chartSvgString, chartPngBlob, base64urlEncode, base64urlDecode };

init().catch((error) => showFailure(`The page could not start: ${error.message}`));
