// Talking to the server: the API key (kept in localStorage), JSON calls,
// and server-sent events read through fetch (EventSource cannot send a key).

const KEY = "genloom.key";

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export const auth = {
  get: () => localStorage.getItem(KEY) || "",
  set: (k) => (k ? localStorage.setItem(KEY, k) : localStorage.removeItem(KEY)),
  onMissing: null,
};

function headers(extra = {}) {
  const h = { ...extra };
  const k = auth.get();
  if (k) h.Authorization = `Bearer ${k}`;
  return h;
}

async function fail(res) {
  let body = null;
  try { body = await res.json(); } catch { /* not JSON */ }
  if (res.status === 401 && auth.onMissing) auth.onMissing();
  throw new ApiError(res.status, body);
}

export async function api(path, { method = "GET", body, signal } = {}) {
  const res = await fetch(path, {
    method, signal,
    headers: headers(body ? { "Content-Type": "application/json" } : {}),
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) await fail(res);
  return res.json();
}

// Uploads files (multipart "files"); the server types and stores each and returns its asset.
export async function upload(path, files) {
  const form = new FormData();
  for (const f of files) form.append("files", f, f.name);
  const res = await fetch(path, { method: "POST", headers: headers(), body: form });
  if (!res.ok) await fail(res);
  return res.json();
}

// Yields each SSE "data:" payload, parsed as JSON ("[DONE]" ends the stream).
export async function* sse(path, { method = "GET", body, signal } = {}) {
  const res = await fetch(path, {
    method, signal,
    headers: headers(body ? { "Content-Type": "application/json", Accept: "text/event-stream" } : { Accept: "text/event-stream" }),
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) await fail(res);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      const data = block.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
      if (!data) continue;
      if (data === "[DONE]") return;
      yield JSON.parse(data);
    }
  }
}

// Asset URLs: with a key configured the server signs them, so <img>/<audio> work as is.
export const assetInfo = (id) => api(`/v1/assets/${encodeURIComponent(id)}`);
