// resemble_nb media inspector, part 5 of 5: the view anywidget renders (no build step, no
// network). Draws the waveform and spectrogram of an item with its scored windows over
// them and a playhead, key frames of a video, an image with its heatmap; a click seeks
// and plays. The parts (util, keys, timeline, image, this one) are joined into one ES
// module by _widget.py, since anywidget loads a widget's view as a single module.

import { bytesOf, fmt, h, jupyterBase, scoreColor, served, setBands } from "./util.js";
import { keyboard, renderHelp } from "./keys.js";
import { colourSpectrogram, drawStatic, STRIP_H, timelineSize } from "./timeline.js";
import { buildImage } from "./image.js";

function render({ model, el }) {
  setBands(model.get("bands"));
  el.classList.add("rnb-insp");
  el.tabIndex = 0;
  const state = { media: null, img: null, spec: null, staticLayer: null, objectUrl: null, chunks: [], item: "", raf: 0 };

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
  renderHelp(help, model);
  keysBtn.addEventListener("click", () => { help.hidden = !help.hidden; });
  const stopKeys = keyboard(el, model, help, { togglePlay, playWorst });

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
      const target = state.media || state.img;
      if (msg.last && target) {
        releaseUrl();
        state.objectUrl = URL.createObjectURL(new Blob(state.chunks, { type: model.get("mime") }));
        state.chunks = [];
        target.src = state.objectUrl;
        notice.textContent = state.media
          ? "Playing a copy sent through the kernel (no Jupyter server to stream from)."
          : "Showing a copy sent through the kernel (no Jupyter server to load it from).";
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
    state.img = null;
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
      if (src && base !== null) m.src = served(base, src);
      else askForBytes("No Jupyter server here");
    } else if (kind === "image") {
      const fail = (reason) => { if (!state.objectUrl) askForBytes(reason); };
      state.img = buildImage({ model, stage, tools, notice }, src, base, fail);
    }
  }

  // -- timeline --------------------------------------------------------------------------
  async function buildSpectrogram() {
    state.spec = null;
    const png = bytesOf(model.get("spectrogram"));
    const item = model.get("item");
    if (!png.length) { el.dataset.drawn = item; return; }
    const bitmap = await createImageBitmap(new Blob([png.slice()], { type: "image/png" }));
    if (item !== model.get("item")) return;
    state.spec = colourSpectrogram(bitmap);
    state.staticLayer = null;
    draw();
    el.dataset.drawn = item; // everything of this item is on screen (benchmarks, tests)
  }

  function hasTimeline() {
    const kind = model.get("kind");
    return (kind === "audio" || kind === "video") && (model.get("duration") > 0);
  }

  function draw() {
    if (!hasTimeline()) { canvas.hidden = true; timeEl.textContent = ""; return; }
    canvas.hidden = false;
    const { width, height, hasWave } = timelineSize(el, model);
    const dpr = window.devicePixelRatio || 1;
    if (!state.staticLayer || state.staticLayer.cssWidth !== width || state.staticLayer.cssHeight !== height) {
      state.staticLayer = drawStatic(model, state.spec, width, height, hasWave);
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
    if (changed.has("verdicts")) renderHelp(help, model);
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
    stopKeys();
    resize.disconnect();
    cancelAnimationFrame(state.raf);
    releaseUrl();
  };
}

export default { render };
