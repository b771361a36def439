// resemble_nb media inspector: a plain ES module for anywidget (no build step, no network).
//
// Draws the waveform and spectrogram of an item with its scored windows over them and a
// playhead, key frames of a video, an image with its heatmap; a click seeks and plays.
// While the triage board (".rnb-triage") has focus, keys act on the board and stop there:
// JupyterLab never sees them (stopPropagation, and data-lm-suppress-shortcuts).

// Resemble's score bands, [high, colour, reading], from Python (plots.BANDS): one table.
let BANDS = [];
const WAVE_H = 56;
const STRIP_H = 12;
const SPEC_H = 96;
const MAGMA = [
  [0, 0, 4], [40, 11, 84], [101, 21, 110], [159, 42, 99],
  [212, 72, 66], [245, 125, 21], [250, 193, 39], [252, 253, 191],
];

export function scoreColor(score, bands = BANDS) {
  if (score === null || score === undefined || Number.isNaN(score) || !bands.length) return "#d9d9d9";
  for (const [top, colour] of bands) if (score < top) return colour;
  return bands[bands.length - 1][1];
}

function lut() {
  const table = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const x = (i / 255) * (MAGMA.length - 1);
    const a = Math.floor(x), b = Math.min(MAGMA.length - 1, a + 1), f = x - a;
    for (let c = 0; c < 3; c++) table[i * 3 + c] = MAGMA[a][c] * (1 - f) + MAGMA[b][c] * f;
  }
  return table;
}
const LUT = lut();

function jupyterBase() {
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

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function bytesOf(value) {
  if (!value) return new Uint8Array(0);
  if (value instanceof DataView) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return new Uint8Array(0);
}

function fmt(t) {
  if (!Number.isFinite(t)) return "–";
  const m = Math.floor(t / 60), s = t - m * 60;
  return m ? `${m}:${s.toFixed(1).padStart(4, "0")}` : `${s.toFixed(1)} s`;
}

const KEYS = [
  ["Space", "play / pause"],
  ["J or ↓ →", "next item"],
  ["K or ↑ ←", "previous item"],
  ["Home / End", "first / last item"],
  ["M", "play the most suspicious window or frame"],
  ["N", "write a note (Esc to leave it)"],
  ["?", "show or hide this list"],
];

function render({ model, el }) {
  BANDS = model.get("bands") || [];
  el.classList.add("rnb-insp");
  el.tabIndex = 0;
  const state = { media: null, spec: null, staticLayer: null, objectUrl: null, chunks: [], item: "", raf: 0, zoom: 1 };

  const nameEl = h("span", { class: "rnb-insp-name" });
  const msgEl = h("span", { class: "rnb-insp-msg" });
  const keysBtn = h("button", { class: "rnb-insp-keys", type: "button", title: "Keyboard shortcuts", text: "? keys" });
  const head = h("div", { class: "rnb-insp-head" }, nameEl, msgEl, keysBtn);
  const stage = h("div", { class: "rnb-insp-stage" });
  const canvas = h("canvas", { class: "rnb-insp-timeline", "aria-label": "timeline: click to play from there" });
  const timeEl = h("div", { class: "rnb-insp-time" });
  const frames = h("div", { class: "rnb-insp-frames" });
  const tools = h("div", { class: "rnb-insp-tools" });
  const help = h("div", { class: "rnb-insp-help", hidden: "" });
  const notice = h("div", { class: "rnb-insp-notice" });
  el.append(head, notice, stage, canvas, timeEl, frames, tools, help);

  // -- keys ------------------------------------------------------------------------------
  function renderHelp() {
    help.replaceChildren();
    const rows = [...KEYS];
    (model.get("verdicts") || []).forEach(([, words], i) => rows.splice(4 + i, 0, [String(i + 1), words]));
    const table = h("table");
    for (const [k, what] of rows) table.append(h("tr", {}, h("th", { text: k }), h("td", { text: what })));
    help.append(h("b", { text: "Keys (while the board has focus)" }), table);
  }
  renderHelp();
  keysBtn.addEventListener("click", () => { help.hidden = !help.hidden; });

  let root = el; // the board around the inspector, once it is in the page
  function send(action, extra = {}) { model.send({ event: "action", action, ...extra }); }
  function onKey(e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return; // Ctrl+S and friends stay JupyterLab's
    if (e.shiftKey && e.key === "Enter") return; // run the cell
    const t = e.target;
    const typing = t && (t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable ||
      (t.tagName === "INPUT" && !["checkbox", "range", "button", "radio"].includes(t.type)));
    e.stopPropagation(); // never into JupyterLab's shortcuts while the board has focus
    if (typing) {
      if (e.key === "Escape") { t.blur(); el.focus(); e.preventDefault(); }
      return;
    }
    let handled = true;
    const verdicts = model.get("verdicts") || [];
    switch (e.key) {
      case " ": togglePlay(); break;
      case "j": case "J": case "ArrowDown": case "ArrowRight": send("next"); break;
      case "k": case "K": case "ArrowUp": case "ArrowLeft": send("previous"); break;
      case "Home": send("first"); break;
      case "End": send("last"); break;
      case "m": case "M": playWorst(); break;
      case "n": case "N": {
        const note = root.querySelector("textarea");
        if (note) note.focus(); else handled = false;
        break;
      }
      case "?": help.hidden = !help.hidden; break;
      case "Escape": help.hidden = true; break;
      default:
        if (/^[1-9]$/.test(e.key) && verdicts[Number(e.key) - 1]) {
          const note = root.querySelector("textarea"); // what is on screen, even if not synced yet
          send("decide", { verdict: verdicts[Number(e.key) - 1][0], note: note ? note.value : null });
        } else handled = false;
    }
    if (handled) e.preventDefault();
  }
  function onEscape(e) { // capture: text widgets stop their keys from bubbling
    const t = e.target;
    if (e.key === "Escape" && t && (t.tagName === "TEXTAREA" || t.tagName === "INPUT")) {
      e.stopPropagation();
      e.preventDefault();
      t.blur();
      el.focus({ preventScroll: true });
    }
  }
  function onMouseDown(e) { // a click on the board (not on a control) gives it the keys
    if (!e.target.closest("button, input, textarea, select, audio, video, a, .widget-slider")) {
      setTimeout(() => el.focus({ preventScroll: true }), 0);
    }
  }
  function listen(node) {
    if (node.dataset.rnbKeys) return false; // another view of the board listens already
    node.dataset.rnbKeys = "1";
    node.setAttribute("data-lm-suppress-shortcuts", "true");
    node.addEventListener("keydown", onKey);
    node.addEventListener("keydown", onEscape, true);
    node.addEventListener("mousedown", onMouseDown);
    return true;
  }
  function unlisten(node) {
    delete node.dataset.rnbKeys;
    node.removeEventListener("keydown", onKey);
    node.removeEventListener("keydown", onEscape, true);
    node.removeEventListener("mousedown", onMouseDown);
  }
  listen(el);
  let tries = 0;
  (function findBoard() { // the view is attached to the page after render() returns
    const board = el.isConnected ? el.closest(".rnb-triage") : null;
    if (board) {
      unlisten(el);
      if (!listen(board)) listen(el);
      else { root = board; if (!board.hasAttribute("tabindex")) board.tabIndex = -1; }
    } else if (!el.isConnected && tries++ < 600) requestAnimationFrame(findBoard);
  })();

  // -- media -----------------------------------------------------------------------------
  function duration() {
    const m = state.media;
    if (m && Number.isFinite(m.duration) && m.duration > 0) return m.duration;
    return model.get("duration") || 0;
  }
  function seek(t, play = true) {
    const m = state.media;
    if (!m) return;
    const d = duration();
    const target = Math.max(0, Math.min(t, d > 0 ? d - 0.01 : t));
    m.currentTime = target;
    if (play) m.play().catch(() => { /* autoplay refused: the position is still set */ });
    draw();
  }
  function togglePlay() {
    const m = state.media;
    if (!m) return;
    if (m.paused) m.play().catch(() => {}); else m.pause();
  }
  function worst() {
    let best = null;
    for (const w of model.get("windows") || []) if (!best || w.score > best.score) best = w;
    for (const f of model.get("frames") || []) {
      if (f.score !== null && (!best || f.score > best.score)) best = { start: f.t, score: f.score };
    }
    return best;
  }
  function playWorst() { const w = worst(); if (w) seek(w.start); }

  function releaseUrl() {
    if (state.objectUrl) { URL.revokeObjectURL(state.objectUrl); state.objectUrl = null; }
  }
  function askForBytes(reason) {
    notice.textContent = `${reason}: fetching the file through the kernel…`;
    state.chunks = [];
    model.send({ event: "need-bytes", item: model.get("item") });
  }
  model.on("msg:custom", (msg, buffers) => {
    if (!msg || msg.item !== model.get("item")) return;
    if (msg.event === "bytes") {
      state.chunks.push(bytesOf(buffers && buffers[0]).slice());
      if (msg.last && state.media) {
        releaseUrl();
        state.objectUrl = URL.createObjectURL(new Blob(state.chunks, { type: model.get("mime") }));
        state.chunks = [];
        state.media.src = state.objectUrl;
        notice.textContent = "Playing a copy sent through the kernel (no Jupyter server to stream from).";
      }
    } else if (msg.event === "bytes-refused") {
      notice.textContent = `Cannot play here: ${msg.reason}.`;
    }
  });

  function buildStage() {
    cancelAnimationFrame(state.raf);
    releaseUrl();
    stage.replaceChildren();
    tools.replaceChildren();
    notice.textContent = "";
    state.media = null;
    const kind = model.get("kind");
    const src = model.get("src");
    const base = jupyterBase();
    if (kind === "audio" || kind === "video") {
      const m = h(kind, { controls: "", preload: "metadata", class: `rnb-insp-${kind}` });
      state.media = m;
      m.addEventListener("error", () => {
        if (!state.objectUrl && m.error) askForBytes("The Jupyter server did not serve the file");
      });
      for (const ev of ["timeupdate", "seeked", "loadedmetadata", "pause"]) m.addEventListener(ev, draw);
      m.addEventListener("play", tick);
      stage.append(m);
      if (src && base !== null) m.src = base.replace(/\/?$/, "/") + src;
      else askForBytes("No Jupyter server here");
    } else if (kind === "image") {
      buildImage(src, base);
    }
  }

  function buildImage(src, base) {
    const wrap = h("div", { class: "rnb-insp-imgwrap" });
    const inner = h("div", { class: "rnb-insp-imginner" });
    const img = h("img", { alt: model.get("name") });
    inner.append(img);
    const heat = model.get("heatmap");
    let overlay = null;
    if (heat) {
      overlay = h("img", { class: "rnb-insp-heat", alt: "heatmap", src: heat });
      overlay.style.opacity = "0.5";
      inner.append(overlay);
    }
    wrap.append(inner);
    stage.append(wrap);
    if (src && base !== null) img.src = base.replace(/\/?$/, "/") + src;
    img.addEventListener("error", () => {
      notice.textContent = "The image could not be loaded from the Jupyter server.";
    });
    const setZoom = (z) => {
      state.zoom = Math.max(0.25, Math.min(8, z));
      inner.style.width = `${state.zoom * 100}%`;
      zoomLabel.textContent = `${Math.round(state.zoom * 100)}%`;
    };
    const zoomLabel = h("span", { class: "rnb-insp-zoom" });
    const out = h("button", { type: "button", title: "Zoom out", text: "−" });
    const into = h("button", { type: "button", title: "Zoom in", text: "+" });
    const fit = h("button", { type: "button", title: "Fit", text: "fit" });
    out.addEventListener("click", () => setZoom(state.zoom / 1.5));
    into.addEventListener("click", () => setZoom(state.zoom * 1.5));
    fit.addEventListener("click", () => setZoom(1));
    wrap.addEventListener("wheel", (e) => {
      if (!e.ctrlKey && !e.shiftKey) return;
      e.preventDefault();
      setZoom(state.zoom * (e.deltaY < 0 ? 1.2 : 1 / 1.2));
    }, { passive: false });
    tools.append(h("span", { text: "Zoom " }), out, zoomLabel, into, fit);
    if (overlay) {
      const slider = h("input", { type: "range", min: "0", max: "100", value: "50", "aria-label": "heatmap opacity" });
      slider.addEventListener("input", () => { overlay.style.opacity = String(Number(slider.value) / 100); });
      tools.append(h("span", { text: " · heatmap opacity " }), slider);
    } else {
      tools.append(h("span", { class: "rnb-insp-muted", text: " · no heatmap for this image" }));
    }
    setZoom(1);
  }

  // -- timeline --------------------------------------------------------------------------
  async function buildSpectrogram() {
    state.spec = null;
    const png = bytesOf(model.get("spectrogram"));
    const item = model.get("item");
    if (!png.length) { el.dataset.drawn = item; return; }
    const bitmap = await createImageBitmap(new Blob([png.slice()], { type: "image/png" }));
    if (item !== model.get("item")) return;
    const off = document.createElement("canvas");
    off.width = bitmap.width; off.height = bitmap.height;
    const ctx = off.getContext("2d");
    ctx.drawImage(bitmap, 0, 0);
    const img = ctx.getImageData(0, 0, off.width, off.height);
    const px = img.data;
    for (let i = 0; i < px.length; i += 4) {
      const v = px[i] * 3;
      px[i] = LUT[v]; px[i + 1] = LUT[v + 1]; px[i + 2] = LUT[v + 2];
    }
    ctx.putImageData(img, 0, 0);
    state.spec = off;
    state.staticLayer = null;
    draw();
    el.dataset.drawn = item; // everything of this item is on screen (benchmarks, tests)
  }

  function hasTimeline() {
    const kind = model.get("kind");
    return (kind === "audio" || kind === "video") && (model.get("duration") > 0);
  }

  function layout() {
    const width = Math.max(200, Math.floor(el.clientWidth || 600));
    const hasWave = bytesOf(model.get("peaks")).length > 0;
    const height = STRIP_H + (hasWave ? WAVE_H + SPEC_H : 24);
    return { width, height, hasWave };
  }

  function drawStatic(w, hgt, hasWave) {
    const dpr = window.devicePixelRatio || 1;
    const layer = document.createElement("canvas");
    layer.width = Math.round(w * dpr); layer.height = Math.round(hgt * dpr);
    const ctx = layer.getContext("2d");
    ctx.scale(dpr, dpr);
    ctx.fillStyle = "#111"; ctx.fillRect(0, 0, w, hgt);
    const d = model.get("duration") || 1;
    // waveform
    if (hasWave) {
      const peaks = new Int8Array(bytesOf(model.get("peaks")).slice().buffer);
      const cols = peaks.length / 2;
      const mid = STRIP_H + WAVE_H / 2;
      ctx.fillStyle = "#0f172a"; ctx.fillRect(0, STRIP_H, w, WAVE_H);
      ctx.strokeStyle = "#93c5fd"; ctx.beginPath();
      for (let x = 0; x < w; x++) {
        const c = Math.min(cols - 1, Math.floor((x / w) * cols));
        const lo = peaks[2 * c] / 127, hi = peaks[2 * c + 1] / 127;
        ctx.moveTo(x + 0.5, mid - hi * (WAVE_H / 2 - 2));
        ctx.lineTo(x + 0.5, mid - lo * (WAVE_H / 2 - 2) + 1);
      }
      ctx.stroke();
      if (state.spec) {
        ctx.imageSmoothingEnabled = true;
        ctx.drawImage(state.spec, 0, STRIP_H + WAVE_H, w, SPEC_H);
      }
    }
    // scored windows: a strip on top, and a tint over the waveform and spectrogram
    for (const win of model.get("windows") || []) {
      const x0 = (win.start / d) * w, x1 = Math.max(x0 + 1, (win.end / d) * w);
      const colour = scoreColor(win.score);
      ctx.fillStyle = colour;
      ctx.fillRect(x0, 0, x1 - x0, STRIP_H - 1);
      ctx.globalAlpha = win.score >= model.get("threshold") ? 0.28 : 0.12;
      ctx.fillRect(x0, STRIP_H, x1 - x0, hgt - STRIP_H);
      ctx.globalAlpha = 1;
    }
    // scored frames: ticks
    for (const f of model.get("frames") || []) {
      const x = (f.t / d) * w;
      ctx.fillStyle = scoreColor(f.score);
      ctx.fillRect(Math.min(w - 3, x - 1), 0, 3, STRIP_H - 1);
    }
    if (!hasWave) {
      ctx.fillStyle = "#cbd5e1"; ctx.font = "11px sans-serif";
      ctx.fillText("no audio track: the strip shows the scored frames", 6, STRIP_H + 16);
    }
    return layer;
  }

  function draw() {
    if (!hasTimeline()) { canvas.hidden = true; timeEl.textContent = ""; return; }
    canvas.hidden = false;
    const { width, height, hasWave } = layout();
    const dpr = window.devicePixelRatio || 1;
    if (!state.staticLayer || state.staticLayer.cssWidth !== width || state.staticLayer.cssHeight !== height) {
      state.staticLayer = drawStatic(width, height, hasWave);
      state.staticLayer.cssWidth = width; state.staticLayer.cssHeight = height;
      canvas.width = Math.round(width * dpr); canvas.height = Math.round(height * dpr);
      canvas.style.width = `${width}px`; canvas.style.height = `${height}px`;
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(state.staticLayer, 0, 0);
    const d = model.get("duration") || 1;
    const now = state.media ? state.media.currentTime : 0;
    const x = Math.round((now / d) * width * dpr);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(Math.min(canvas.width - 2, x), 0, Math.max(1, Math.round(2 * dpr)), canvas.height);
    canvas.dataset.playhead = now.toFixed(3);
    const w = worst();
    timeEl.textContent = `${fmt(now)} / ${fmt(d)}` +
      (w ? ` · most suspicious at ${fmt(w.start)} (score ${w.score.toFixed(2)}): press M` : "");
  }

  function tick() {
    cancelAnimationFrame(state.raf);
    const step = () => {
      draw();
      if (state.media && !state.media.paused && !state.media.ended) state.raf = requestAnimationFrame(step);
    };
    state.raf = requestAnimationFrame(step);
  }

  canvas.addEventListener("click", (e) => {
    const rect = canvas.getBoundingClientRect();
    const d = model.get("duration") || 0;
    let t = ((e.clientX - rect.left) / rect.width) * d;
    if (e.clientY - rect.top < STRIP_H) { // on the strip: the window (or frame) under the pointer
      const hit = (model.get("windows") || []).find((w) => t >= w.start && t < w.end);
      if (hit) t = hit.start;
    }
    el.focus({ preventScroll: true });
    seek(t);
  });

  // -- key frames ------------------------------------------------------------------------
  function buildFrames() {
    frames.replaceChildren();
    for (const f of model.get("frames") || []) {
      const when = Math.abs(f.t - f.scored_at) > 0.01
        ? `${fmt(f.t)} (scored at ${fmt(f.scored_at)}, past the end)` : fmt(f.t);
      const score = f.score === null ? "–" : f.score.toFixed(2);
      const button = h("button", { type: "button", class: "rnb-insp-frame", title: `${when}: score ${score}` });
      button.style.borderColor = scoreColor(f.score);
      if (f.src) button.append(h("img", { src: f.src, alt: `frame at ${fmt(f.t)}` }));
      button.append(h("span", { text: `${fmt(f.t)} · ${score}` }));
      button.addEventListener("click", () => seek(f.t));
      frames.append(button);
    }
    frames.hidden = frames.childElementCount === 0;
  }

  // -- wiring ----------------------------------------------------------------------------
  function refreshText() {
    nameEl.textContent = model.get("name");
    msgEl.textContent = model.get("message");
    el.dataset.kind = model.get("kind");
    el.dataset.item = model.get("item");
  }
  function refreshAll() {
    refreshText();
    state.staticLayer = null;
    state.spec = null;
    buildStage();
    buildFrames();
    draw();
    buildSpectrogram();
  }
  // Traits of one item arrive in one message: gather their change events and act once.
  const dirty = new Set();
  function flush() {
    const changed = new Set(dirty);
    dirty.clear();
    if (changed.has("item")) { refreshAll(); return; }
    if (changed.has("src")) buildStage();
    if (changed.has("message") || changed.has("name")) refreshText();
    if (changed.has("frames")) buildFrames();
    if (changed.has("verdicts")) renderHelp();
    if (["windows", "frames", "duration", "peaks", "threshold"].some((k) => changed.has(k))) {
      state.staticLayer = null;
      draw();
    }
    if (changed.has("spectrogram")) buildSpectrogram();
  }
  const TRAITS = ["item", "src", "message", "name", "windows", "frames", "duration", "peaks",
    "threshold", "spectrogram", "verdicts"];
  for (const key of TRAITS) {
    model.on(`change:${key}`, () => {
      if (!dirty.size) queueMicrotask(flush);
      dirty.add(key);
    });
  }
  const resize = new ResizeObserver(() => { state.staticLayer = null; draw(); });
  resize.observe(el);
  refreshAll();

  return () => {
    unlisten(root);
    resize.disconnect();
    cancelAnimationFrame(state.raf);
    releaseUrl();
  };
}

export default { render };
