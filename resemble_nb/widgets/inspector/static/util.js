// resemble_nb media inspector, part 1 of 5: the helpers every part uses (no DOM state).
// The parts are joined into ONE ES module for anywidget (see _widget.py); each stays a
// valid module on its own, so editors and node can load it.

// Resemble's score bands, [high, colour, reading], from Python (plots.BANDS): one table.
let BANDS = [];

export function setBands(bands) { BANDS = bands || []; }

export function scoreColor(score, bands = BANDS) {
  if (score === null || score === undefined || Number.isNaN(score) || !bands.length) return "#d9d9d9";
  for (const [top, colour] of bands) if (score < top) return colour;
  return bands[bands.length - 1][1];
}

export function jupyterBase() {
  const config = document.getElementById("jupyter-config-data");
  if (config) {
    try {
      const data = JSON.parse(config.textContent || "{}");
      if (typeof data.baseUrl === "string") return data.baseUrl;
    } catch (_) { /* not JSON: no server config */ }
  }
  const fromBody = document.body && document.body.dataset && document.body.dataset.baseUrl;
  return fromBody || null;
}

export function served(base, src) { return base.replace(/\/?$/, "/") + src; }

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

export function bytesOf(value) {
  if (!value) return new Uint8Array(0);
  if (value instanceof DataView) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return new Uint8Array(0);
}

export function fmt(t) {
  if (!Number.isFinite(t)) return "–";
  const m = Math.floor(t / 60), s = t - m * 60;
  return m ? `${m}:${s.toFixed(1).padStart(4, "0")}` : `${s.toFixed(1)} s`;
}
