// resemble_nb media inspector, part 3 of 5: painting the timeline's still layer (the
// waveform, the spectrogram in a colour map, the scored windows and frames over them).

import { bytesOf, scoreColor } from "./util.js";

export const WAVE_H = 56;
export const STRIP_H = 12;
export const SPEC_H = 96;
const MAGMA = [
  [0, 0, 4], [40, 11, 84], [101, 21, 110], [159, 42, 99],
  [212, 72, 66], [245, 125, 21], [250, 193, 39], [252, 253, 191],
];

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

// The grayscale spectrogram (an ImageBitmap) as a canvas in the colour map.
export function colourSpectrogram(bitmap) {
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
  return off;
}

export function timelineSize(el, model) {
  // the content box: the padding is not ours to draw in (the side column starts there)
  const style = getComputedStyle(el);
  const pad = (parseFloat(style.paddingLeft) || 0) + (parseFloat(style.paddingRight) || 0);
  const width = Math.max(120, Math.floor((el.clientWidth || 600) - pad));
  const hasWave = bytesOf(model.get("peaks")).length > 0;
  const height = STRIP_H + (hasWave ? WAVE_H + SPEC_H : 24);
  return { width, height, hasWave };
}

// Everything of the timeline but the playhead, `w` x `hgt` CSS pixels.
export function drawStatic(model, spec, w, hgt, hasWave) {
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
    if (spec) {
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(spec, 0, STRIP_H + WAVE_H, w, SPEC_H);
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
