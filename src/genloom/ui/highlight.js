// A tiny syntax highlighter (no build step, no network): strings, comments,
// numbers, keywords and calls, for Python/JS/C-like code. Escapes everything.

const KEYWORDS = new Set((
  "def class return if elif else for while in not and or is None True False import from as with try except " +
  "finally raise yield lambda pass break continue global nonlocal async await function const let var new " +
  "this typeof instanceof null undefined true false switch case default do throw catch export extends " +
  "static public private protected void int float double char bool struct fn pub mut impl use match"
).split(" "));

const TOKEN = /("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`)|(#[^\n]*|\/\/[^\n]*|\/\*[\s\S]*?\*\/)|(\b\d+(?:\.\d+)?\b)|([A-Za-z_]\w*)(?=\s*\()|([A-Za-z_]\w*)/g;

export const escapeHtml = (s) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

export function highlight(code) {
  let out = "";
  let last = 0;
  for (const m of code.matchAll(TOKEN)) {
    out += escapeHtml(code.slice(last, m.index));
    const [text, str, comment, num, call, word] = m;
    if (str) out += `<span class="tok-s">${escapeHtml(str)}</span>`;
    else if (comment) out += `<span class="tok-c">${escapeHtml(comment)}</span>`;
    else if (num) out += `<span class="tok-n">${num}</span>`;
    else if (call) out += KEYWORDS.has(call) ? `<span class="tok-k">${call}</span>` : `<span class="tok-f">${call}</span>`;
    else if (word) out += KEYWORDS.has(word) ? `<span class="tok-k">${word}</span>` : word;
    else out += escapeHtml(text);
    last = m.index + text.length;
  }
  return out + escapeHtml(code.slice(last));
}

// Splits a model reply into prose and fenced code blocks.
export function splitFences(text) {
  const parts = [];
  const re = /```([\w+-]*)\n([\s\S]*?)(?:```|$)/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) parts.push({ type: "text", text: text.slice(last, m.index) });
    parts.push({ type: "code", lang: m[1], text: m[2] });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ type: "text", text: text.slice(last) });
  return parts;
}
