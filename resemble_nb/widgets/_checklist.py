"""A scrollable list of checkboxes: one click ticks or unticks one entry, never the rest.

``ipywidgets.SelectMultiple`` replaces the whole selection on a plain click (keeping it
takes Ctrl/Shift), so one stray click after *Select all* drops every other file. Here
each entry is a real ``<input type="checkbox">``: a click toggles that entry alone,
Shift-click ticks or unticks the range since the last click, Space works from the
keyboard. ``options`` are ``(label, value)`` pairs; ``value`` is the tuple of ticked
values, in option order, as the browser last set it.
"""

from __future__ import annotations

import anywidget
import traitlets as T

__all__ = ["CheckList"]

_ESM = r"""
function render({ model, el }) {
  el.classList.add("rnb-checklist");
  const head = document.createElement("div");
  head.className = "rnb-checklist-head";
  const list = document.createElement("div");
  list.className = "rnb-checklist-list";
  list.setAttribute("role", "group");
  list.setAttribute("aria-label", "Files");
  el.append(head, list);
  let shown = null;   // the options array the rows were built from
  let boxes = [];     // [value, input] in option order
  let last = -1;      // index of the last box clicked, for Shift-click ranges

  function ticked() { return new Set(model.get("value") || []); }
  function count() {
    const n = boxes.length;
    const on = boxes.filter(([, b]) => b.checked).length;
    head.textContent = n
      ? `${on} of ${n} listed here ticked`
      : "No media files of the ticked types here";
  }
  function build() {
    const options = model.get("options") || [];
    shown = options;
    last = -1;
    list.replaceChildren();
    boxes = options.map(([label, value], index) => {
      const row = document.createElement("label");
      row.className = "rnb-checklist-row";
      const box = document.createElement("input");
      box.type = "checkbox";
      box.value = value;
      const text = document.createElement("span");
      text.textContent = label;
      row.append(box, text);
      list.append(row);
      box.addEventListener("click", (event) => toggle(index, event.shiftKey));
      return [value, box];
    });
  }
  function refresh() {
    if (model.get("options") !== shown) build();
    const on = ticked();
    for (const [value, box] of boxes) box.checked = on.has(value);
    list.style.maxHeight = `${model.get("rows") * 1.75}em`;
    count();
  }
  function toggle(index, range) {
    // the box already shows its new state; apply it (or it, to a Shift range) alone
    const state = boxes[index][1].checked;
    const from = range && last >= 0 ? Math.min(last, index) : index;
    const to = range && last >= 0 ? Math.max(last, index) : index;
    for (let i = from; i <= to; i++) boxes[i][1].checked = state;
    last = index;
    const keep = boxes.filter(([, b]) => b.checked).map(([v]) => v);
    model.set("value", keep);
    model.save_changes();
    count();
  }
  model.on("change:options", refresh);
  model.on("change:value", refresh);
  model.on("change:rows", refresh);
  refresh();
}
export default { render };
"""

_CSS = """
.rnb-checklist { display: flex; flex-direction: column; min-width: 0; }
.rnb-checklist-head { font-size: var(--jp-ui-font-size1, 13px);
  color: var(--jp-ui-font-color2, #555); padding: 0 0 2px 2px; }
.rnb-checklist-list { overflow-y: auto; border: 1px solid var(--jp-border-color1, #bbb);
  border-radius: 2px; padding: 2px 0; background: var(--jp-layout-color1, #fff); }
.rnb-checklist-row { display: flex; align-items: center; gap: 6px; padding: 1px 6px;
  font-size: var(--jp-ui-font-size1, 13px); line-height: 1.5em; white-space: nowrap;
  cursor: pointer; user-select: none; }
.rnb-checklist-row:hover { background: var(--jp-layout-color2, #eee); }
.rnb-checklist-row input { margin: 0; flex: none; }
.rnb-checklist-row span { overflow: hidden; text-overflow: ellipsis; }
"""


class CheckList(anywidget.AnyWidget):
    """Entries with a checkbox each in a scrolling box ``rows`` lines high."""

    _esm = _ESM
    _css = _CSS
    options = T.List(T.Tuple(T.Unicode(), T.Unicode())).tag(sync=True)
    value = T.Tuple().tag(sync=True)
    rows = T.Int(12).tag(sync=True)

    def __repr__(self) -> str:
        return f"CheckList: {len(self.value)} of {len(self.options)} ticked"
