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
  let zoom = 1;
  const zoomLabel = h("span", { class: "rnb-insp-zoom" });
  const setZoom = (z) => {
    zoom = Math.max(0.25, Math.min(8, z));
    inner.style.width = `${zoom * 100}%`;
    zoomLabel.textContent = `${Math.round(zoom * 100)}%`;
  };
  const button = (title, text, next) => {
    const b = h("button", { type: "button", title, text });
    b.addEventListener("click", () => setZoom(next()));
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
    button("Fit", "fit", () => 1),
  );
  if (overlay) {
    const slider = h("input", { type: "range", min: "0", max: "100", value: "50", "aria-label": "heatmap opacity" });
    slider.addEventListener("input", () => { overlay.style.opacity = String(Number(slider.value) / 100); });
    tools.append(h("span", { text: " · heatmap opacity " }), slider);
  } else {
    tools.append(h("span", { class: "rnb-insp-muted", text: " · no heatmap for this image" }));
  }
  setZoom(1);
  return img;
}
