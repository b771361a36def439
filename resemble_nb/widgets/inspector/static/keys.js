// resemble_nb media inspector, part 2 of 5: the board's keys and their help list.
// While the triage board (".rnb-triage") has focus, keys act on the board and stop there:
// JupyterLab never sees them (stopPropagation, and data-lm-suppress-shortcuts).

import { h } from "./util.js";

const KEYS = [
  ["Space", "play / pause"],
  ["J or ↓ →", "next item"],
  ["K or ↑ ←", "previous item"],
  ["Home / End", "first / last item"],
  ["M", "play the most suspicious window or frame"],
  ["N", "write a note (Esc to leave it)"],
  ["?", "show or hide this list"],
];

export function renderHelp(help, model) {
  help.replaceChildren();
  const rows = [...KEYS];
  (model.get("verdicts") || []).forEach(([, words], i) => rows.splice(4 + i, 0, [String(i + 1), words]));
  const table = h("table");
  for (const [k, what] of rows) table.append(h("tr", {}, h("th", { text: k }), h("td", { text: what })));
  help.append(h("b", { text: "Keys (while the board has focus)" }), table);
}

// Listen for the board's keys on `el`, then on the board around it once it is in the
// page; `player` plays and pauses. Returns what stops listening.
export function keyboard(el, model, help, player) {
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
      case " ": player.togglePlay(); break;
      case "j": case "J": case "ArrowDown": case "ArrowRight": send("next"); break;
      case "k": case "K": case "ArrowUp": case "ArrowLeft": send("previous"); break;
      case "Home": send("first"); break;
      case "End": send("last"); break;
      case "m": case "M": player.playWorst(); break;
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
  return () => unlisten(root);
}
