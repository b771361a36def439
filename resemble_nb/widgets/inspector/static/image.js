// resemble_nb media inspector, part 4 of 5: an image on the stage, with zoom and its
// heatmap's opacity in the tools row.

import { h, served } from "./util.js";

export function buildImage({ model, stage, tools, notice }, src, base, fail) {
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
  // without the server (or when it refuses), the image comes through the kernel: it is small
  img.addEventListener("error", () => fail("The Jupyter server did not serve the image"));
  if (src && base !== null) img.src = served(base, src);
  else fail("No Jupyter server here");
  // The zoom is true: CSS pixels per image pixel. It opens at "fit" (contain: the whole
  // image inside the frame); the heatmap lies over the image's own box, so it stays
  // aligned at every zoom.
  let zoom = 1;
  let fitted = true;
  const zoomLabel = h("span", { class: "rnb-insp-zoom" });
  const fitZoom = () => {
    const nw = img.naturalWidth, nh = img.naturalHeight;
    if (!nw || !nh) return 1;
    const maxH = parseFloat(getComputedStyle(wrap).maxHeight) || wrap.clientHeight || nh;
    const w = wrap.clientWidth || nw;
    return Math.min(w / nw, (maxH - 2) / nh, 8);
  };
  const setZoom = (z, fit = false) => {
    fitted = fit;
    zoom = Math.max(0.05, Math.min(8, fit ? fitZoom() : z));
    if (img.naturalWidth) inner.style.width = `${Math.round(img.naturalWidth * zoom)}px`;
    zoomLabel.textContent = `${Math.round(zoom * 100)}%`;
    wrap.dataset.zoom = zoom.toFixed(4);
    wrap.dataset.fit = fit ? "1" : "0";
  };
  img.addEventListener("load", () => setZoom(zoom, fitted));
  const resize = new ResizeObserver(() => {
    if (!wrap.isConnected) resize.disconnect(); // the next item replaced this one
    else if (fitted) setZoom(zoom, true);
  });
  resize.observe(wrap);
  const button = (title, text, next) => {
    const b = h("button", { type: "button", title, text });
    b.addEventListener("click", () => { const z = next(); setZoom(z === null ? zoom : z, z === null); });
    return b;
  };
  wrap.addEventListener("wheel", (e) => {
    if (!e.ctrlKey && !e.shiftKey) return;
    e.preventDefault();
    setZoom(zoom * (e.deltaY < 0 ? 1.2 : 1 / 1.2));
  }, { passive: false });
  tools.append(
    h("span", { text: "Zoom " }),
    button("Zoom out", "−", () => zoom / 1.5),
    zoomLabel,
    button("Zoom in", "+", () => zoom * 1.5),
    button("Fit the whole image in the frame", "fit", () => null),
  );
  if (overlay) {
    const slider = h("input", { type: "range", min: "0", max: "100", value: "50", "aria-label": "heatmap opacity" });
    slider.addEventListener("input", () => { overlay.style.opacity = String(Number(slider.value) / 100); });
    tools.append(h("span", { text: " · heatmap (where the image looks manipulated): opacity " }), slider);
  } else {
    tools.append(h("span", { class: "rnb-insp-muted", text: " · no heatmap for this image" }));
  }
  setZoom(1, true);
  return img;
}
