// Rendering results in place: text with copy, highlighted code, images,
// audio and video players, each labelled as AI-generated.

import { assetInfo } from "./api.js";
import { escapeHtml, highlight, splitFences } from "./highlight.js";

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null) continue;
    if (k === "class") node.className = v;
    else if (k === "html") node.innerHTML = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c != null) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function copyButton(getText) {
  const b = el("button", { class: "ghost small", type: "button", "data-testid": "copy" }, "Copy");
  b.addEventListener("click", async () => {
    try { await navigator.clipboard.writeText(getText()); b.textContent = "Copied"; }
    catch { b.textContent = "Copy failed"; }
    setTimeout(() => (b.textContent = "Copy"), 1500);
  });
  return b;
}

export function codeBlock(code, lang = "") {
  return el("div", { class: "codewrap" },
    el("div", { class: "row", style: "margin:0 0 6px" }, el("span", { class: "chip" }, lang || "code"),
      el("span", { class: "spacer" }), copyButton(() => code)),
    el("pre", { class: "code", "data-testid": "code", html: highlight(code) }));
}

export function textResult(text, { title = "text", kind = "text", meta = {} } = {}) {
  const box = el("div", { class: "result", "data-kind": kind, "data-testid": "result" });
  box.append(el("header", {}, el("span", { class: "chip kind" }, title), el("span", { class: "ai-label" }, "AI-generated"),
    meta.model ? el("span", {}, meta.model) : null, el("span", { class: "spacer" }), copyButton(() => text)));
  if (kind === "code" && meta.code && !text.includes("```")) {
    if (meta.prose) box.append(el("div", { class: "text" }, meta.prose));
    box.append(codeBlock(meta.code, meta.language));
  } else if (kind === "code" && !text.includes("```")) {
    box.append(codeBlock(text, meta.language));
  } else {
    for (const part of splitFences(text)) {
      box.append(part.type === "code" ? codeBlock(part.text, part.lang) : el("div", { class: "text" }, part.text.trim()));
    }
  }
  return box;
}

export function mediaFor(asset) {
  const mime = asset.mime || "";
  if (mime.startsWith("image/")) return el("img", { src: asset.url, alt: asset.provenance?.prompt || "generated image", loading: "lazy" });
  if (mime.startsWith("audio/")) return el("audio", { src: asset.url, controls: "", preload: "metadata" });
  if (mime.startsWith("video/")) return el("video", { src: asset.url, controls: "", preload: "metadata" });
  return null;
}

export async function assetResult(id) {
  const asset = await assetInfo(id);
  const box = el("div", { class: "result", "data-kind": asset.kind, "data-testid": "result" });
  box.append(el("header", {}, el("span", { class: "chip kind" }, asset.kind), el("span", { class: "ai-label" }, "AI-generated"),
    asset.provenance?.model_id ? el("span", {}, asset.provenance.model_id) : null, el("span", { class: "spacer" }),
    el("a", { href: asset.url, download: "" }, "download")));
  const media = mediaFor(asset);
  if (media) box.append(media);
  else if ((asset.mime || "").startsWith("text/") || asset.mime === "application/json") {
    const res = await fetch(asset.url);
    const text = await res.text();
    box.append(asset.kind === "code" ? codeBlock(text) : el("div", { class: "text" }, text));
  } else box.append(el("div", { class: "note" }, `${asset.mime}, ${asset.size} bytes`));
  return box;
}

// Collects texts and asset ids from any result shape (a Result dict, a run
// result with per-step outputs, ...), so new generators show up without UI changes.
export function collectOutputs(value, out = { texts: [], assets: new Set() }, depth = 0) {
  if (value == null || depth > 6) return out;
  if (Array.isArray(value)) { value.forEach((v) => collectOutputs(v, out, depth + 1)); return out; }
  if (typeof value !== "object") return out;
  for (const id of value.asset_ids || []) out.assets.add(id);
  if (typeof value.asset_id === "string") out.assets.add(value.asset_id);
  if (typeof value.text === "string" && value.text.trim()) out.texts.push({ text: value.text, kind: value.kind || "text", meta: { ...(value.meta || {}), model: value.model } });
  for (const [k, v] of Object.entries(value)) if (k !== "asset_ids" && k !== "text" && k !== "meta" && typeof v === "object") collectOutputs(v, out, depth + 1);
  return out;
}

export { escapeHtml };
