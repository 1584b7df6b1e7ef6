// genloom studio: Create (plan, run with live per-step progress, results in
// place), Chat (streamed) and Gallery (past assets with provenance).

import { ApiError, api, auth, sse, upload } from "./api.js";
import { assetResult, collectOutputs, el, mediaFor, textResult } from "./render.js";

const $ = (sel) => document.querySelector(sel);

// -- tabs, status, key ---------------------------------------------------------
function showTab(name) {
  for (const b of document.querySelectorAll(".tabs button")) b.setAttribute("aria-selected", String(b.dataset.tab === name));
  for (const s of document.querySelectorAll(".tab")) s.hidden = s.id !== `tab-${name}`;
  if (name === "gallery") loadGallery();
  if (name === "chat") $("#chat-input").focus();
}
for (const b of document.querySelectorAll(".tabs button")) b.addEventListener("click", () => showTab(b.dataset.tab));

auth.onMissing = () => { const d = $("#key-dialog"); if (!d.open) d.showModal(); };
$("#key-btn").addEventListener("click", () => { $("#key-input").value = auth.get(); $("#key-dialog").showModal(); });
$("#key-dialog").addEventListener("close", () => { if ($("#key-dialog").returnValue === "save") { auth.set($("#key-input").value.trim()); refreshStatus(); } });

let kinds = [];
async function refreshStatus() {
  try {
    const st = await api("/v1/status");
    kinds = st.kinds;
    $("#status-dot").className = "dot ok";
    $("#status-text").textContent = `ready · ${st.loaded.length ? st.loaded.join(", ") : "no model loaded"}`;
    await loadModels();
  } catch (e) {
    $("#status-dot").className = "dot bad";
    $("#status-text").textContent = e.status === 401 ? "API key needed" : "server unreachable";
  }
}

async function loadModels() {
  const { data } = await api("/v1/models");
  const sel = $("#chat-model");
  const keep = sel.value;
  sel.replaceChildren(el("option", { value: "" }, "default text model"),
    ...data.filter((m) => m.kind === "text" || m.kind === "code" || (m.also || []).includes("text"))
      .map((m) => el("option", { value: m.id }, `${m.id}${m.installed === "installed" ? "" : ` (${m.installed})`}`)));
  sel.value = keep;
}

// -- create -------------------------------------------------------------------------
const note = (msg, error = false) => { const n = $("#create-note"); n.hidden = !msg; n.textContent = msg || ""; n.classList.toggle("error", error); };

// -- the user's files: dropped or picked, uploaded at once, sent as the request's inputs --
let inputs = []; // [{id, name, kind, seconds, width, height}]
function renderInputs() {
  const box = $("#inputs");
  box.hidden = !inputs.length;
  box.replaceChildren(...inputs.map((f) => {
    const size = f.width && f.height ? ` ${f.width}×${f.height}` : "";
    const len = f.seconds ? ` ${Number(f.seconds).toFixed(1)} s` : "";
    return el("span", { class: "chip input", "data-testid": "input-chip", title: f.id }, `${f.name} (${f.kind}${len}${size}) `,
      el("button", { type: "button", class: "ghost small", "aria-label": `remove ${f.name}`,
        onclick: () => { inputs = inputs.filter((x) => x !== f); lastPlan = null; renderInputs(); } }, "×"));
  }));
}
async function addFiles(files) {
  if (!files.length) return;
  note(`Uploading ${files.length} file(s)…`);
  try {
    const { data } = await upload("/v1/assets", files);
    for (const a of data) inputs.push({ id: a.id, name: a.input?.named_as || a.id, kind: a.input?.kind || a.kind,
      seconds: a.input?.seconds, width: a.input?.width, height: a.input?.height });
    lastPlan = null;
    renderInputs();
    note("");
  } catch (e) {
    note(e.message, true); // a file genloom cannot read is refused here, before anything runs
  }
}
const drop = $("#create-form");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("dropping"); });
drop.addEventListener("dragleave", () => drop.classList.remove("dropping"));
drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("dropping"); addFiles([...e.dataTransfer.files]); });
$("#file-input").addEventListener("change", (e) => { addFiles([...e.target.files]); e.target.value = ""; });

function renderNotes(box, notes) {
  if (notes?.length) box.append(el("ul", { class: "notes", "data-testid": "plan-notes" }, notes.map((n) => el("li", { class: "note" }, n))));
}

function renderPlan(plan) {
  const box = $("#plan");
  box.hidden = false;
  const deliverables = (plan.deliverables || []).map((d) => typeof d === "string" ? d : (d.kind ? `${d.kind}${d.description ? `: ${d.description}` : ""}` : JSON.stringify(d)));
  box.replaceChildren(
    el("h3", {}, "Plan"),
    el("div", { class: "deliverables" }, deliverables.map((d) => el("span", { class: "chip kind" }, d))),
    el("ol", { class: "steps", "data-testid": "plan-steps" }, (plan.steps || []).map((s) => {
      const tool = [s.kind || s.tool || s.action || "step", s.model].filter(Boolean).join(" · ");
      const why = s.why || s.reason || s.rationale || s.explanation || "";
      const what = s.instruction || s.description || s.task || s.title || "";
      return el("li", {}, el("b", {}, tool), what ? ` — ${what}` : "", why ? el("div", { class: "why" }, `why this tool: ${why}`) : null);
    })));
  if (plan.inputs?.length) box.append(el("p", { class: "why" }, "uses: ", plan.inputs.map((f) => `${f.named_as || f.id} (${f.kind})`).join(", ")));
  renderNotes(box, plan.notes);
}

function renderProgress(job) {
  const box = $("#progress");
  box.hidden = false;
  box.replaceChildren(el("h3", {}, `Job ${job.id} · `, el("span", { class: `state ${job.status}`, "data-testid": "job-status" }, job.status)),
    ...(job.steps || []).map((s) => el("div", { class: "step", "data-testid": "step" },
      el("div", {}, el("b", {}, s.task || s.tool || s.kind || `step ${s.index + 1}`), " ", el("span", { class: "why" }, s.message || s.description || "")),
      el("div", { class: "bar" }, el("i", { style: `width:${Math.round((s.progress || 0) * 100)}%` })),
      el("span", { class: `state ${s.status}` }, s.status))),
    ...(job.status === "running" || job.status === "queued"
      ? [el("button", { class: "ghost small", type: "button", onclick: () => api(`/v1/jobs/${job.id}`, { method: "DELETE" }) }, "Cancel")] : []));
  renderNotes(box, job.notes);
  if (job.error) box.append(el("p", { class: "note error" }, job.error.message));
}

async function showResults(job) {
  // One group per run, newest first; inside it, outputs in plan order.
  const group = el("div", { class: "results", "data-testid": "run-results" });
  $("#results").prepend(group);
  const parts = Array.isArray(job.result?.steps) ? job.result.steps : [job.result];
  const seenText = new Set();
  const seenAsset = new Set();
  for (const part of parts) {
    const out = collectOutputs(part);
    for (const t of out.texts) {
      if (seenText.has(t.text)) continue;
      seenText.add(t.text);
      group.append(textResult(t.text, { title: t.kind, kind: t.kind, meta: t.meta }));
    }
    for (const id of out.assets) {
      if (seenAsset.has(id)) continue;
      seenAsset.add(id);
      try { group.append(await assetResult(id)); } catch (e) { group.append(el("div", { class: "note error" }, `asset ${id}: ${e.message}`)); }
    }
  }
}

let lastPlan = null;
async function planOnly() {
  const request = $("#prompt").value.trim();
  if (!request) return note("Type what you want first.", true);
  try {
    note("Planning…");
    lastPlan = await api("/v1/plans", { method: "POST", body: { request, inputs: inputs.map((f) => f.id) } });
    renderPlan(lastPlan);
    note("");
    return true;
  } catch (e) {
    if (e.status === 501) { note("The planner is not installed here: pick a generator in Mode to run directly.", true); $("#mode").value = kinds.includes("text") ? "text" : $("#mode").value; }
    else note(e.message, true);
    return false;
  }
}

async function run(ev) {
  ev?.preventDefault();
  const prompt = $("#prompt").value.trim();
  if (!prompt) return note("Type what you want first.", true);
  const mode = $("#mode").value;
  const body = mode === "plan" ? { request: prompt } : { kind: mode, prompt };
  $("#run-btn").disabled = true;
  try {
    if (mode === "plan") {
      // Run exactly the plan on screen (planning again could choose differently).
      if (!(lastPlan && lastPlan.request === prompt) && !(await planOnly())) return; // inputs reset lastPlan
      body.plan = lastPlan;
      delete body.request;
    }
    note("");
    let job = await api("/v1/jobs", { method: "POST", body });
    renderProgress(job);
    for await (const ev of sse(`/v1/jobs/${job.id}/events`)) {
      if (ev.type === "end") { job = ev.job; break; }
      job = await api(`/v1/jobs/${job.id}`);
      if (job.plan && $("#plan").hidden) renderPlan(job.plan);
      renderProgress(job);
    }
    renderProgress(job);
    if (job.result) await showResults(job);
  } catch (e) {
    note(e instanceof ApiError ? e.message : String(e), true);
  } finally {
    $("#run-btn").disabled = false;
  }
}
$("#create-form").addEventListener("submit", run);
$("#plan-btn").addEventListener("click", planOnly);
$("#prompt").addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) run(e); });

// -- chat ---------------------------------------------------------------------------
let history = [];
function bubble(role, text) {
  const b = el("div", { class: `msg ${role}`, "data-testid": `msg-${role}` }, text);
  $("#chat-log").append(b);
  $("#chat-log").scrollTop = $("#chat-log").scrollHeight;
  return b;
}
async function sendChat(ev) {
  ev?.preventDefault();
  const input = $("#chat-input");
  const content = input.value.trim();
  if (!content) return;
  input.value = "";
  history.push({ role: "user", content });
  bubble("user", content);
  const reply = bubble("assistant", "");
  reply.classList.add("streaming");
  $("#chat-send").disabled = true;
  let text = "";
  try {
    const body = { messages: history, stream: true };
    if ($("#chat-model").value) body.model = $("#chat-model").value;
    for await (const chunk of sse("/v1/chat/completions", { method: "POST", body })) {
      if (chunk.error) throw new Error(chunk.error.message);
      const piece = chunk.choices?.[0]?.delta?.content;
      if (piece) { text += piece; reply.textContent = text; }
    }
    history.push({ role: "assistant", content: text });
  } catch (e) {
    reply.remove();
    history.pop();
    bubble("error", e.message);
  } finally {
    reply.classList.remove("streaming");
    $("#chat-send").disabled = false;
  }
}
$("#chat-form").addEventListener("submit", sendChat);
$("#chat-input").addEventListener("keydown", (e) => { if (e.key === "Enter" && !e.shiftKey) sendChat(e); });
$("#chat-clear").addEventListener("click", () => { history = []; $("#chat-log").replaceChildren(); });

// -- gallery ------------------------------------------------------------------------
const ICONS = { text: "¶", code: "{ }", speech: "♪", music: "♫", sound: "≋", video: "▶", image: "▣", transcript: "✎" };
async function loadGallery() {
  const grid = $("#gallery-grid");
  try {
    const { data } = await api("/v1/assets?limit=60");
    if (!data.length) { grid.replaceChildren(el("div", { class: "empty" }, "Nothing made yet.")); return; }
    grid.replaceChildren(...data.map((a) => {
      const thumb = el("div", { class: "thumb" });
      if ((a.mime || "").startsWith("image/")) thumb.append(el("img", { src: a.url, alt: a.provenance?.prompt || a.kind, loading: "lazy" }));
      else thumb.textContent = ICONS[a.kind] || "◆";
      const tile = el("button", { class: "tile", type: "button", "data-testid": "tile", "data-id": a.id }, thumb,
        el("div", { class: "cap" }, el("b", {}, a.provenance?.prompt || a.id), `${a.kind} · ${a.provenance?.model_id || ""}`));
      tile.addEventListener("click", () => showAsset(a.id, tile));
      return tile;
    }));
  } catch (e) {
    grid.replaceChildren(el("div", { class: "empty" }, e.message));
  }
}
async function showAsset(id, tile) {
  for (const t of document.querySelectorAll(".tile.selected")) t.classList.remove("selected");
  tile?.classList.add("selected");
  const a = await api(`/v1/assets/${encodeURIComponent(id)}`);
  const p = a.provenance || {};
  const box = $("#asset-detail");
  box.hidden = false;
  $(".gallery-wrap").classList.add("has-detail");
  const row = (k, v) => (v == null || v === "" ? [] : [el("dt", {}, k), el("dd", {}, typeof v === "object" ? JSON.stringify(v) : String(v))]);
  box.replaceChildren(el("h3", {}, `${a.kind} `, el("span", { class: "ai-label" }, a.meta?.label || "AI-generated")),
    mediaFor(a) || el("div", { class: "note" }, a.mime),
    el("dl", { "data-testid": "provenance" }, ...row("asset", a.id), ...row("model", p.model_id), ...row("prompt", p.prompt),
      ...row("seed", p.seed), ...row("params", p.params), ...row("created", a.created_at), ...row("sha256", a.sha256),
      ...row("parents", (p.parent_ids || []).join(", ")), ...row("generation", p.id)),
    el("a", { href: a.url, download: "" }, "download"));
}
$("#gallery-refresh").addEventListener("click", loadGallery);

refreshStatus();
