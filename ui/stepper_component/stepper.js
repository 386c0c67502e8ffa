// Backprop Tutor's stepper: the whole trace arrives once; every press is handled here, in the page.
// Data comes from ui/stepper_data.py. Text from the data is only ever set with textContent; formulas go
// through KaTeX with trust off and size limits, so nothing a learner typed can become markup.

const INSTANCES = new WeakMap();
const SYNC_DELAY_MS = 450; // the server learns the current step once the learner pauses (one rerun, not one per press)
const WANT_DELAY_MS = 150; // a very long trace: ask for the next window soon, but once per pause
const EDGE_MARGIN = 100; // ... when this close to the edge of the window the browser has
const TABLE_ROWS = 400;
const HISTORY_ITEMS = 200;
const NEXT_KEYS = new Set(["ArrowRight", "ArrowDown", "PageDown", "n", "N"]);
const PREV_KEYS = new Set(["ArrowLeft", "ArrowUp", "PageUp", "p", "P"]);
const NAV_KEYS = new Set(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End", "PageUp", "PageDown", " "]);
const TYPING_ROLES = ["textbox", "combobox", "spinbutton", "listbox", "grid", "gridcell", "slider", "menu"];
const COMPOSITE_ROLES = ["radio", "tab", "option", "menuitem", "menuitemradio", "menuitemcheckbox", "treeitem",
  "switch", "row", "radiogroup", "tablist"];
const SVG_NS = "http://www.w3.org/2000/svg";
const FILL_TIMEOUT_MS = 15000; // fill-in mode: no reply by then, the learner may send the answer again
const FILL_MARKS = { correct: "✓", carried: "↪", wrong: "✗", revealed: "◉", error: "⚠", hint: "ℹ", pending: "…" };
const COLOURS = { negative: "#0072B2", positive: "#D55E00", highlight: "#E69F00", current: "#1A1D23",
  edge: "#B8BEC8", line: "#5B6270", fill: "#FFFFFF", errorFill: "#F3F5F8" };
const ICONS = { first: "M6 6h2v12H6zm3.5 6 8.5 6V6z", previous: "M15.4 7.4 14 6l-6 6 6 6 1.4-1.4-4.6-4.6z",
  next: "M8.6 16.6 10 18l6-6-6-6-1.4 1.4 4.6 4.6z", last: "M6 18l8.5-6L6 6v12zM16 6v12h2V6z" };

function loadKatex(base) {
  if (window.katex) return Promise.resolve(window.katex);
  if (!window.__btKatexLoading) {
    window.__btKatexLoading = new Promise((resolve, reject) => {
      if (!document.querySelector("link[data-bt-katex]")) {
        const link = document.createElement("link"); // @font-face only works from the document, not a shadow root
        link.rel = "stylesheet"; link.href = base + "katex.min.css"; link.dataset.btKatex = "1";
        document.head.appendChild(link);
      }
      const script = document.createElement("script");
      script.src = base + "katex.min.js"; script.async = true;
      script.onload = () => (window.katex ? resolve(window.katex) : reject(new Error("katex missing")));
      script.onerror = () => reject(new Error("katex failed to load"));
      document.head.appendChild(script);
    });
  }
  return window.__btKatexLoading;
}

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

function svg(tag, attrs) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  return node;
}

// Is the key for another control (a text field, a list, a radio group such as the language switch)?
function forAnotherControl(event, wrap) {
  const path = event.composedPath ? event.composedPath() : [event.target];
  for (const node of path) {
    if (node === wrap) return false; // our own buttons: keys step
    if (!node || !node.tagName) continue;
    const tag = node.tagName.toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select") return true;
    if (node.isContentEditable) return true;
    const role = node.getAttribute && node.getAttribute("role");
    if (TYPING_ROLES.includes(role)) return true;
    if (NAV_KEYS.has(event.key) && COMPOSITE_ROLES.includes(role)) return true;
  }
  return false;
}

class Stepper {
  constructor(root) {
    this.root = root;
    this.data = null;
    this.index = new Map();
    this.pos = 0;
    this.seq = null;
    this.fp = null;
    this.katex = null;
    this.timer = null;
    this.blank = null;
    this.pending = null;
    this.generation = 0;
    this.reports = 0;
    this.raf = 0;
    this.shown = null;
    this.fits = new Map();
    this.onKey = (e) => this.key(e);
    this.onResize = () => { this.fits.clear(); this.shown = null; this.requestShow(); };
    window.addEventListener("keydown", this.onKey, true);
    window.addEventListener("resize", this.onResize);
    this.build();
  }

  build() {
    const wrap = el("div", "bt-stepper");
    wrap.tabIndex = -1;
    this.wrap = wrap;
    this.nav = el("div", "bt-nav");
    this.nav.setAttribute("role", "group");
    this.buttons = {};
    const mk = (name, cls, after) => {
      const b = el("button", "bt-btn " + cls);
      b.type = "button";
      b.dataset.action = name;
      const label = el("span", "bt-label");
      const icon = svg("svg", { viewBox: "0 0 24 24", class: "bt-icon", "aria-hidden": "true" });
      icon.appendChild(svg("path", { d: ICONS[name] }));
      if (after) { b.append(label, icon); } else { b.append(icon, label); }
      b.addEventListener("click", () => this.act(name));
      this.buttons[name] = b;
      return b;
    };
    this.counter = el("span", "bt-counter");
    this.nav.append(mk("first", ""), mk("previous", ""), this.counter, mk("next", "bt-primary", true), mk("last", "", true));
    this.phases = el("div", "bt-phases");
    this.phases.setAttribute("role", "group");
    this.formula = el("div", "bt-formula");
    this.formula.setAttribute("role", "group");
    this.caption = el("p", "bt-caption");
    this.callout = el("div", "bt-callout");
    this.callout.setAttribute("role", "note");
    this.noteBox = el("div", "bt-note"); // the note's line at this step, what it printed, a slip; or "added"
    this.noteBox.setAttribute("role", "note");
    this.stepLine = el("div", "bt-step");
    this.stepLine.id = "current-step";
    this.live = el("div", "bt-sr"); // what a screen reader hears on each step
    this.live.setAttribute("aria-live", "polite");
    this.live.setAttribute("aria-atomic", "true");
    this.text = el("div", "bt-text");
    this.text.append(this.caption, this.callout, this.noteBox, this.stepLine);
    this.body = el("div", "bt-body");
    this.chart = el("div", "bt-chart");
    this.legend = el("div", "bt-legend");
    this.help = el("p", "bt-help");
    this.side = el("div", "bt-side");
    this.chartCol = el("div", "bt-chart-col");
    this.chartCol.append(this.chart, this.legend, this.help);
    this.body.append(this.chartCol, this.side);
    this.lower = el("div", "bt-lower");
    this.lower.append(this.text, this.body);
    this.valuesTitle = el("p", "bt-values-title");
    this.tableWrap = el("div", "bt-table");
    this.tableWrap.addEventListener("click", (e) => {
      const tr = e.target.closest("tr[data-pos]");
      if (tr) this.go(Number(tr.dataset.pos));
    });
    this.history = el("details", "bt-history");
    this.historySummary = el("summary", "", "");
    this.historyList = el("ol", "bt-history-list");
    this.history.append(this.historySummary, this.historyList);
    this.history.addEventListener("toggle", () => this.renderHistory());
    this.side.append(this.valuesTitle, this.tableWrap, this.history);
    wrap.append(this.nav, this.phases, this.formula, this.lower, this.live);
    this.root.appendChild(wrap);
  }

  update(args) {
    const d = args.data || {};
    this.args = args;
    if (typeof d.payload === "string" && d.fingerprint !== this.fp) {
      const before = this.data ? this.stepAt(this.pos) : null;
      let parsed = null;
      try {
        parsed = JSON.parse(d.payload);
      } catch (err) {
        parsed = null; // keep what the learner has; a later message may be whole
      }
      if (parsed) {
        if (before) this.pending = this.pending === null ? before.id : this.pending;
        this.data = parsed;
        this.fp = d.fingerprint;
        this.index = new Map();
        this.data.steps.forEach((s, i) => this.index.set(s.id, i + this.data.offset));
        this.staticStrings = d.words || {};
        this.wrap.lang = this.data.lang === "zh" ? "zh-Hans" : "en";
        if (d.katex_base && d.katex_base !== this.base) {
          this.base = d.katex_base;
          const link = document.createElement("link"); // KaTeX's classes inside this shadow root
          link.rel = "stylesheet"; link.href = this.base + "katex.min.css";
          this.root.appendChild(link);
        }
        this.fits.clear();
        this.histItems = new Map();
        this.rows = null;
        this.asked = null;
        this.buildGraph();
        this.buildPhases();
        this.shown = null;
      }
    }
    this.fillSync(d);
    if (this.present !== !!d.present) {
      this.present = !!d.present;
      this.wrap.classList.toggle("bt-present", this.present);
      this.fits.clear();
      this.shown = null;
    }
    if (!this.data) return;
    // The server moves the learner only when it means to (a new network, the URL, a click elsewhere): seq.
    // Otherwise the learner stays on the step they are on (kept by id across a new language or precision).
    if (d.seq !== this.seq || this.pending !== null) {
      if (d.seq !== this.seq) { clearTimeout(this.timer); this.timer = null; } // a report made before the move is void
      const wanted = d.seq !== this.seq ? d.step : this.pending;
      this.seq = d.seq;
      this.pending = null;
      const at = this.posOf(wanted);
      if (at !== undefined) this.pos = at;
      else if (typeof d.position === "number") this.pos = d.position;
    }
    this.pos = Math.max(0, Math.min(this.pos, this.data.total - 1));
    if (this.katex) { this.show(); return; }
    this.showText();
    loadKatex(this.base).then((k) => { this.katex = k; this.fits.clear(); this.shown = null; this.show(); })
      .catch(() => this.show());
  }

  w(key) { return (this.staticStrings && this.staticStrings[key]) || key; }

  stepAt(pos) {
    const off = this.data.offset;
    return pos >= off && pos < off + this.data.steps.length ? this.data.steps[pos - off] : null;
  }

  // A step's position, in the window or (a very long trace) among the values the diagram needs from outside it.
  posOf(id) {
    const at = this.index.get(id);
    if (at !== undefined) return at;
    const far = this.data && this.data.far && this.data.far[id];
    return far ? far[0] : undefined;
  }

  act(name) {
    if (!this.data) return;
    const target = { first: 0, previous: this.pos - 1, next: this.pos + 1, last: this.data.total - 1 }[name];
    if (target !== undefined) this.go(target);
  }

  go(target) {
    if (!this.data) return;
    const pos = Math.max(0, Math.min(target, this.data.total - 1));
    if (pos === this.pos) return;
    this.pos = pos;
    cancelAnimationFrame(this.raf); // a press is shown at once (the browser paints it in its next frame)
    this.raf = 0;
    this.show();
    this.scheduleSync();
  }

  goId(id) {
    const pos = this.posOf(id);
    if (pos !== undefined) this.go(pos);
  }

  // At most one rendering per frame while the window is being resized.
  requestShow() {
    if (!this.data || this.raf) return;
    this.raf = requestAnimationFrame(() => { this.raf = 0; this.show(); });
  }

  report(name, value) {
    this.reports += 1;
    this.args.setStateValue(name, { ...value, seq: this.seq, n: this.reports });
  }

  scheduleSync() {
    clearTimeout(this.timer);
    const off = this.data.offset, end = off + this.data.steps.length;
    const near = (this.pos < off + EDGE_MARGIN && off > 0) || (this.pos >= end - EDGE_MARGIN && end < this.data.total);
    if (!this.stepAt(this.pos) || near) {
      this.timer = setTimeout(() => {
        if (this.asked !== this.pos) { this.asked = this.pos; this.report("want", { pos: this.pos }); }
      }, WANT_DELAY_MS);
      return;
    }
    const step = this.stepAt(this.pos);
    this.timer = setTimeout(() => this.report("step", { id: step.id }), SYNC_DELAY_MS);
  }

  key(event) {
    if (!this.data || !this.wrap.isConnected || event.defaultPrevented) return;
    if (event.isComposing || event.keyCode === 229) return; // an input method is composing a character
    if (this.blank) { // first: any key (not its auto-repeat) brings the screen back
      event.preventDefault(); event.stopImmediatePropagation();
      if (!event.repeat) this.unblank();
      return;
    }
    if (event.ctrlKey || event.metaKey || (event.altKey && !this.fillHintKey(event))) return;
    if (forAnotherControl(event, this.wrap)) return;
    const inside = event.composedPath().includes(this.wrap);
    const focus = document.activeElement;
    const host = this.root.host || this.root;
    // Outside presentation mode the keys are the stepper's only while nothing else has the focus, so a keyboard
    // user can still scroll the page and use its other controls; presenting, they are always (a clicker's).
    if (!this.present && !inside && focus && focus !== document.body && focus !== host) return;
    if (this.fillKey(event)) return; // fill-in mode: Enter, ? or Alt+H, a digit (into the answer box)
    const k = event.key;
    if (k === " " && !inside && this.pressable(event)) return; // Space on another control is that control's
    if (event.repeat && !(NEXT_KEYS.has(k) || PREV_KEYS.has(k) || k === " ")) {
      event.preventDefault();
      return; // holding B, F or . does not flicker
    }
    let handled = true;
    if (k === " " || k === "Spacebar") {
      const target = event.composedPath()[0];
      const control = inside && target && target.closest ? target.closest("button,[role=button],summary") : null;
      if (control && !control.classList.contains("bt-btn")) handled = false; // a neuron, a weight, a row, a phase: its own
      else this.go(this.pos + (event.shiftKey ? -1 : 1));
    } else if (NEXT_KEYS.has(k)) this.go(this.pos + 1);
    else if (PREV_KEYS.has(k)) this.go(this.pos - 1);
    else if (k === "Home") this.go(0);
    else if (k === "End") this.go(this.data.total - 1);
    else if (k === "b" || k === "B" || k === ".") this.blankScreen();
    else if (k === "f" || k === "F") this.fullscreen();
    else if (k.length === 1 && !event.shiftKey) { /* swallow Streamlit's own single-letter hotkeys (r, c) while stepping */ }
    else handled = false;
    if (handled) { event.preventDefault(); event.stopImmediatePropagation(); }
  }

  pressable(event) {
    const node = event.composedPath ? event.composedPath()[0] : event.target;
    if (!node || !node.tagName) return false;
    const tag = node.tagName.toLowerCase();
    const role = node.getAttribute && node.getAttribute("role");
    return ["button", "a", "summary", "label"].includes(tag) ||
      ["button", "tab", "switch", "checkbox", "radio", "option", "link"].includes(role);
  }

  blankScreen() {
    const cover = document.createElement("div");
    cover.className = "bt-blank";
    cover.setAttribute("data-testid", "bt-blank");
    cover.setAttribute("role", "status");
    cover.style.cssText = "position:fixed;inset:0;background:#000;z-index:2147483647;cursor:none;";
    const hint = document.createElement("span"); // for screen readers only
    hint.textContent = this.w("stepper_blank_hint");
    hint.style.cssText = "position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;";
    cover.appendChild(hint);
    cover.addEventListener("click", () => this.unblank());
    document.body.appendChild(cover);
    this.blank = cover;
  }

  unblank() {
    if (this.blank) this.blank.remove();
    this.blank = null;
  }

  fullscreen() {
    try {
      if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
      else document.documentElement.requestFullscreen().catch(() => {});
    } catch (err) { /* not allowed here: nothing to do */ }
  }

  buildPhases() {
    this.phases.replaceChildren();
    this.phaseButtons = {};
    for (const name of ["forward", "loss", "backward", "update", "check"]) {
      const b = el("button", "bt-phase", this.w("phase_" + name));
      b.type = "button";
      b.dataset.phase = name;
      const first = this.data.firsts[name];
      b.disabled = first === undefined;
      b.addEventListener("click", () => this.go(first));
      this.phases.appendChild(b);
      this.phaseButtons[name] = b;
    }
    for (const [name, b] of Object.entries(this.buttons)) b.querySelector(".bt-label").textContent = this.w(name);
    this.nav.setAttribute("aria-label", this.w("stepper_nav"));
    this.phases.setAttribute("aria-label", this.w("stepper_phases"));
    this.formula.setAttribute("aria-label", this.w("stepper_formula"));
    this.help.textContent = this.w("diagram_help");
    this.valuesTitle.textContent = this.w("values");
    this.historySummary.textContent = this.w("history");
  }

  math(target, latex, display) {
    if (this.katex) {
      try {
        this.katex.render(latex, target, { displayMode: display, throwOnError: false, trust: false,
          maxSize: 20, maxExpand: 200, strict: "ignore", output: "htmlAndMathml" });
        return;
      } catch (err) { /* shown as text below */ }
    }
    target.textContent = latex;
  }

  showText() {
    const step = this.stepAt(this.pos);
    if (step) this.formula.textContent = this.fillLatex(step);
  }

  show() {
    if (!this.data) return;
    const stateKey = this.fp + "|" + this.pos + "|" + this.present + "|" + !!this.katex;
    if (stateKey === this.shown) return; // a rerun that changed nothing here (the server heard a report)
    this.shown = stateKey;
    const step = this.stepAt(this.pos);
    const total = this.data.total;
    const b = this.buttons;
    b.first.disabled = b.previous.disabled = this.pos === 0;
    b.next.disabled = b.last.disabled = this.pos === total - 1;
    const counter = this.w("counter").replace("{n}", this.pos + 1).replace("{total}", total);
    this.counter.textContent = counter;
    this.wrap.dataset.position = String(this.pos + 1);
    this.stepLine.dataset.position = String(this.pos + 1);
    if (!step) {
      this.formula.textContent = this.w("stepper_loading");
      this.caption.textContent = "";
      this.callout.hidden = true;
      this.shown = null; // show it when the window arrives
      return;
    }
    if (this.fillAsks(step)) this.fillFormula(step);
    else this.renderFormula(step);
    this.caption.textContent = step.caption;
    this.callout.textContent = step.callout || "";
    this.callout.hidden = !step.callout;
    this.showNote(step);
    this.stepLine.replaceChildren(document.createTextNode(this.w("step_id") + ": "), el("code", "", step.id));
    this.stepLine.dataset.stepId = step.id;
    this.wrap.dataset.stepId = step.id;
    this.live.textContent = step.explain && !step.value ? counter + ". " + step.caption // the note's explanation
      : counter + ". " + step.symbol + " = " + (this.fillAsks(step) ? "?" : step.value) + ". " + step.caption;
    for (const [name, btn] of Object.entries(this.phaseButtons || {})) {
      btn.classList.toggle("bt-active", name === step.phase);
      if (name === step.phase) btn.setAttribute("aria-current", "step");
      else btn.removeAttribute("aria-current");
    }
    this.paintGraph(step);
    this.fillPaint(step);
    if (!this.present) {
      this.renderTable();
      if (this.history.open) this.renderHistory();
    }
    if (this.present) this.fitChart();
    else this.wrap.classList.remove("bt-split");
  }

  fitChart() {
    // Presentation: the diagram takes what is left of the screen under the formula and caption; when that is
    // too little (a long caption under a broken formula), the caption goes beside the diagram instead.
    this.wrap.classList.remove("bt-split");
    const room = () => window.innerHeight - this.chart.getBoundingClientRect().top - (this.legend.hidden ? 12 : 44);
    let space = room();
    if (space < 220 && window.innerWidth > window.innerHeight) {
      this.wrap.classList.add("bt-split");
      space = room();
    }
    const value = Math.max(120, Math.floor(space)) + "px";
    if (this.wrap.style.getPropertyValue("--bt-chart-height") !== value) this.wrap.style.setProperty("--bt-chart-height", value);
  }

  renderFormula(step) {
    const f = this.formula;
    const width = f.clientWidth;
    const cached = this.fits.get(step.id);
    if (cached && cached.width === width) {
      f.classList.toggle("bt-broken", cached.broken);
      f.style.setProperty("--bt-fit", cached.fit);
      this.math(f, cached.latex, true);
      return;
    }
    const keep = (latex, broken, fit) => {
      this.fits.set(step.id, { width, latex, broken, fit });
    };
    f.classList.remove("bt-broken");
    f.style.setProperty("--bt-fit", "1");
    this.math(f, step.latex, true);
    // Never cut a formula: shrink it to fit; past a point, break it at each "=" and shrink what is left.
    const fits = () => f.scrollWidth <= f.clientWidth + 1;
    if (fits()) return keep(step.latex, false, "1");
    const ratio = f.clientWidth / f.scrollWidth;
    if (ratio >= 0.72 || !step.parts || step.parts.length < 2) {
      const fit = String(Math.max(ratio * 0.98, 0.3));
      f.style.setProperty("--bt-fit", fit);
      return keep(step.latex, false, fit);
    }
    const [first, ...rest] = step.parts;
    const broken = "\\begin{aligned}" + first + " &= " + rest.join(" \\\\ &= ") + "\\end{aligned}";
    f.classList.add("bt-broken");
    this.math(f, broken, true);
    let fit = "1";
    if (!fits()) {
      fit = String(Math.max((f.clientWidth / f.scrollWidth) * 0.98, 0.3));
      f.style.setProperty("--bt-fit", fit);
    }
    keep(broken, true, fit);
  }

  renderTable() {
    if (!this.rows) { // new data: a new table; rows are made once and moved, never rebuilt
      this.rows = new Map();
      const table = el("table", "bt-values");
      const head = table.createTHead().insertRow();
      for (const key of ["col_n", "col_symbol", "col_value", "col_phase"]) head.appendChild(el("th", "", this.w(key)));
      this.tbody = table.createTBody();
      this.tableWrap.replaceChildren(table);
    }
    const off = this.data.offset;
    const from = Math.min(this.pos, off + this.data.steps.length - 1);
    const lowest = Math.max(off, from - TABLE_ROWS + 1);
    const rows = [];
    for (let i = from; i >= lowest; i--) {
      let tr = this.rows.get(i);
      if (!tr) {
        const s = this.data.steps[i - off];
        tr = el("tr", "");
        tr.dataset.pos = String(i);
        const n = el("td", "bt-num");
        const go = el("button", "bt-row-go", String(i + 1));
        go.type = "button";
        n.appendChild(go);
        tr.append(n, el("td", "", s.symbol), el("td", "bt-num", this.fillCell(s)), el("td", "", this.w("phase_" + s.phase)));
        this.rows.set(i, tr);
      }
      rows.push(tr);
    }
    this.tbody.replaceChildren(...rows);
  }

  renderHistory() {
    if (!this.history.open || !this.data) return;
    const off = this.data.offset;
    const stop = Math.min(this.pos, off + this.data.steps.length - 1);
    const items = [];
    for (let i = Math.max(off, stop - HISTORY_ITEMS + 1); i <= stop; i++) {
      let li = this.histItems.get(i);
      if (!li || li.dataset.katex !== String(!!this.katex)) {
        li = el("li", "");
        li.value = i + 1;
        li.dataset.katex = String(!!this.katex);
        this.math(li, this.fillLatex(this.data.steps[i - off]), false);
        this.histItems.set(i, li);
      }
      items.push(li);
    }
    this.historyList.replaceChildren(...items);
  }

  // --- the diagram (SVG) ---------------------------------------------------------------------------

  buildGraph() {
    const g = this.data.graph;
    const sizes = g.sizes;
    const L = sizes.length - 1;
    const tallest = Math.max(...sizes);
    const dx = 200, dy = 108, r = 36;
    const pos = {};
    sizes.forEach((n, layer) => {
      for (let j = 1; j <= n; j++) pos[layer + "_" + j] = [48 + layer * dx, 46 + ((tallest - n) / 2 + (j - 1)) * dy];
    });
    const outs = [];
    for (let j = 1; j <= sizes[L]; j++) outs.push(pos[L + "_" + j][1]);
    const errAt = [48 + L * dx + 0.7 * dx, outs.reduce((a, b) => a + b, 0) / outs.length];
    const width = errAt[0] + 60, height = 46 + (tallest - 1) * dy + 78;
    const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "bt-svg", role: "group",
      "aria-label": this.w("stepper_diagram"), preserveAspectRatio: "xMidYMid meet" });
    const edgeLayer = svg("g", { class: "bt-edges" });
    const labelLayer = svg("g", { class: "bt-edge-labels" });
    const nodeLayer = svg("g", { class: "bt-nodes" });
    this.edgeEls = {};
    this.nodeEls = {};
    const grads = g.edges.map((e) => Math.abs(e.grad || 0));
    this.biggest = Math.max(...grads, 0) || 1;
    const dense = (li) => sizes[li - 1] > 2 || sizes[li] > 2;
    const pressable = (node, action) => { // a neuron, a weight: a button for the keyboard too
      node.setAttribute("tabindex", "0");
      node.setAttribute("role", "button");
      node.addEventListener("click", action);
      node.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); e.stopPropagation(); action(); }
      });
    };
    for (const e of g.edges) {
      const [x0, y0] = pos[(e.layer - 1) + "_" + e.k];
      const [x1, y1] = pos[e.layer + "_" + e.j];
      const outline = svg("line", { x1: x0, y1: y0, x2: x1, y2: y1, class: "bt-outline" });
      const line = svg("line", { x1: x0, y1: y0, x2: x1, y2: y1, class: "bt-edge" });
      edgeLayer.append(outline, line);
      // Crossing edges keep their labels apart: a falling edge's label near its start, a rising one's near its end.
      const at = y1 > y0 + 1 ? 0.34 : y1 < y0 - 1 ? 0.66 : 0.5;
      const lx = x0 + at * (x1 - x0), ly = y0 + at * (y1 - y0);
      const label = svg("text", { x: lx, y: ly, class: "bt-edge-label", "text-anchor": "middle" });
      label.dataset.target = "w:l" + e.layer + ":n" + e.j + ":k" + e.k;
      const title = svg("title");
      const nameSpan = svg("tspan", { x: lx, dy: dense(e.layer) ? "0.35em" : "-0.2em" });
      const valueSpan = svg("tspan", { x: lx, dy: dense(e.layer) ? "0" : "1.15em" });
      label.append(title, nameSpan, valueSpan);
      pressable(label, () => this.click(label.dataset.target));
      labelLayer.appendChild(label);
      this.edgeEls[e.key] = { e, line, outline, label, title, nameSpan, valueSpan, dense: dense(e.layer) };
    }
    const errLinks = [];
    for (let j = 1; j <= sizes[L]; j++) {
      const [x0, y0] = pos[L + "_" + j];
      const link = svg("line", { x1: x0, y1: y0, x2: errAt[0], y2: errAt[1], class: "bt-error-link" });
      errLinks.push(link);
      edgeLayer.appendChild(link);
    }
    for (const n of g.nodes) {
      const [x, y] = pos[n.key];
      const group = svg("g", { class: "bt-node" });
      const circle = svg("circle", { cx: x, cy: y, r });
      const title = svg("title");
      const name = svg("text", { x, y: y - 4, "text-anchor": "middle", class: "bt-node-name" });
      name.textContent = n.label;
      const value = svg("text", { x, y: y + 16, "text-anchor": "middle", class: "bt-node-value" });
      group.append(title, circle, name, value);
      pressable(group, () => this.click(group.dataset.target));
      nodeLayer.appendChild(group);
      this.nodeEls[n.key] = { n, group, circle, title, value };
    }
    const err = svg("g", { class: "bt-node bt-error" });
    const box = svg("rect", { x: errAt[0] - 31, y: errAt[1] - 31, width: 62, height: 62, rx: 4 });
    const errName = svg("text", { x: errAt[0], y: errAt[1] - 4, "text-anchor": "middle", class: "bt-node-name" });
    const errValue = svg("text", { x: errAt[0], y: errAt[1] + 16, "text-anchor": "middle", class: "bt-node-value" });
    const errTitle = svg("title");
    const targets = svg("text", { x: errAt[0], y: errAt[1] + 54, "text-anchor": "middle", class: "bt-targets" });
    err.append(errTitle, box, errName, errValue);
    pressable(err, () => this.click(err.dataset.target));
    nodeLayer.append(err, targets);
    this.errorEls = { group: err, box, name: errName, value: errValue, title: errTitle, targets, links: errLinks };
    root.append(edgeLayer, labelLayer, nodeLayer);
    this.chart.replaceChildren(root);
    this.legend.replaceChildren();
    for (const sign of ["negative", "positive"]) {
      const item = el("span", "bt-legend-item bt-" + sign);
      const swatch = el("span", "bt-swatch");
      swatch.style.background = COLOURS[sign];
      item.append(swatch, document.createTextNode(this.w("diagram_" + sign)));
      this.legend.appendChild(item);
    }
  }

  click(target) {
    if (!target) return;
    if (this.posOf(target) !== undefined) return this.goId(target);
    const mapped = this.data.graph.clicks[target];
    if (mapped !== undefined) this.goId(mapped);
  }

  known(id) {
    if (!this.fillShown(id)) return null; // fill-in mode: not answered or revealed yet
    const at = this.index.get(id);
    if (at !== undefined && at <= this.pos) return this.stepAt(at);
    // outside the window, or a value the view never writes or writes later (as in the note): from far[id][0] on
    const far = this.data.far && this.data.far[id];
    return far && far[0] <= this.pos ? { id, value: far[1] } : null;
  }

  // Under the caption: what the note writes at this step (its line, the number it printed, a slip or a typo),
  // or that the tutor added the step. All of it text (textContent), never HTML.
  showNote(step) {
    const box = this.noteBox;
    const note = step.note;
    if (!note && !step.added) { box.hidden = true; box.replaceChildren(); return; }
    const kind = note ? (note.kind || "") : "added";
    const badge = el("span", "bt-badge bt-badge-" + (kind || "line"),
      note ? (note.kind ? this.w("note_kind_" + note.kind) : this.w("note_explain")) : this.w("note_added"));
    const parts = [badge];
    if (note) {
      parts.push(el("span", "bt-note-text", note.text));
      if (note.line) {
        const src = el("code", "bt-note-line", note.line);
        src.title = this.w("note_source");
        parts.push(src);
      }
    }
    box.className = "bt-note bt-note-" + kind;
    box.replaceChildren(...parts);
    box.hidden = false;
  }

  paintGraph(step) {
    const g = this.data.graph;
    const phase = step.phase, s = step.sample;
    const check = phase === "check";
    const byGradient = phase === "update" || check;
    const hlN = new Set(step.hl.n), hlE = new Set(step.hl.e), curN = new Set(step.cur.n), curE = new Set(step.cur.e);
    for (const { e, line, outline, label, title, nameSpan, valueSpan, dense } of Object.values(this.edgeEls)) {
      let colour = COLOURS.edge, width = 1.5;
      if (byGradient && e.grad !== null && this.fillOpen("dE_dw:l" + e.layer + ":n" + e.j + ":k" + e.k)) {
        colour = e.grad < 0 ? COLOURS.negative : e.grad > 0 ? COLOURS.positive : COLOURS.edge;
        width = 1.5 + Math.round(7 * Math.abs(e.grad) / this.biggest);
        line.setAttribute("stroke-dasharray", e.grad > 0 ? "9 4" : "none");
      } else line.setAttribute("stroke-dasharray", "none");
      const lit = hlE.has(e.key);
      if (lit) { if (!byGradient) colour = COLOURS.highlight; width = Math.max(width, 5); }
      line.setAttribute("stroke", colour);
      line.setAttribute("stroke-width", width);
      // In the update phase the colours say the gradient's sign; the current chain stands out by dimming the rest.
      line.setAttribute("stroke-opacity", byGradient && hlE.size && !lit ? "0.35" : "1");
      outline.setAttribute("stroke-width", curE.has(e.key) ? width + 5 : 0);
      const fresh = this.known("new_w:l" + e.layer + ":n" + e.j + ":k" + e.k);
      const name = check && fresh ? e.updated : e.label;
      const value = check && fresh ? (fresh.short || fresh.value) : e.w;
      nameSpan.textContent = dense ? "" : name;
      valueSpan.textContent = value;
      label.classList.toggle("bt-lit", lit);
      let hover = name + " = " + value;
      const grad = this.known("dE_dw:l" + e.layer + ":n" + e.j + ":k" + e.k);
      if (grad) hover += "\n" + e.grad_label + " = " + (grad.short || grad.value);
      if (fresh && !check) hover += "\n" + e.updated + " = " + (fresh.short || fresh.value);
      title.textContent = hover;
      label.setAttribute("aria-label", hover.replace(/\n/g, "; "));
    }
    const prefix = check ? "check." : "";
    for (const { n, group, circle, title, value } of Object.values(this.nodeEls)) {
      let shown, target;
      if (n.layer === 0) {
        shown = n.x[Math.min(s, n.x.length) - 1];
        target = "x:n" + n.j + ":s" + s;
      } else {
        const a = "a:l" + n.layer + ":n" + n.j + ":s" + s;
        const got = this.known(prefix + a);
        shown = got ? (got.short || got.value) : "?";
        target = phase === "forward" || phase === "loss" || check ? prefix + a : "delta:l" + n.layer + ":n" + n.j + ":s" + s;
        if (this.posOf(target) === undefined) target = prefix + a;
      }
      group.dataset.target = target;
      value.textContent = shown;
      title.textContent = n.label + " = " + shown;
      group.setAttribute("aria-label", n.label + " = " + shown);
      const isCur = curN.has(n.key), onChain = hlN.has(n.key);
      circle.setAttribute("stroke", isCur ? COLOURS.current : onChain ? COLOURS.highlight : COLOURS.line);
      circle.setAttribute("stroke-width", isCur ? 5 : onChain ? 4 : 1.5);
      group.classList.toggle("bt-lit", isCur || onChain);
    }
    const E = this.errorEls;
    const errId = check ? "loss_after" : "loss";
    const errKnown = this.known(errId);
    E.group.dataset.target = errId;
    E.name.textContent = check ? g.error.updated : g.error.label;
    E.value.textContent = errKnown ? (errKnown.short || errKnown.value) : "?";
    const tgt = g.error.targets[Math.min(s, g.error.targets.length) - 1] || "";
    E.targets.textContent = tgt;
    E.title.textContent = this.w("diagram_error") + " " + E.name.textContent + "\n" + this.w("diagram_target") + ": " + tgt;
    E.group.setAttribute("aria-label", E.title.textContent.replace(/\n/g, "; "));
    E.box.setAttribute("stroke", step.hl.err ? COLOURS.current : COLOURS.line);
    E.box.setAttribute("stroke-width", step.hl.err ? 4 : 1.5);
    for (const link of E.links) {
      link.setAttribute("stroke", step.hl.err ? COLOURS.highlight : COLOURS.edge);
      link.setAttribute("stroke-width", step.hl.err ? 4 : 1.5);
    }
    this.legend.hidden = !byGradient;
    this.chart.dataset.gradients = byGradient ? "1" : "0";
  }

  // --- fill-in mode (ui/fillin.py) -----------------------------------------------------------------------------
  // The learner types each step's value before it is shown. The stepper's data says whether the mode is on (`fill`:
  // the network's key); the marks come from a small element of their own (fill.js, a "bt-fill" window event), so
  // an answer never makes the server send the whole trace again. Until a step is answered or revealed, nothing on
  // the page shows its value: the formula reads `h_1 = ?`, the diagram, the table and the steps so far say "?".

  // The trace step a view step asks for (null: nothing to fill in, e.g. one of the note's own explanations).
  fillId(step) {
    if (!step || step.explain) return null;
    return typeof step.step === "string" ? step.step : String(step.id).split("#")[0];
  }

  // May the value of trace step `id` be shown? Always outside fill-in mode; in it, once answered or revealed. A value
  // the view never asks for (as in the note: a linear neuron's output) once the step it is known from is.
  fillOpen(id) {
    const f = this.fill;
    if (!f || id === null || id === undefined || f.results[id] !== undefined || f.revealed.has(id)) return true;
    if (this.fillAskable().has(id)) return false;
    const far = this.data.far && this.data.far[id];
    const from = far ? this.stepAt(far[0]) : null;
    return !!from && this.fillId(from) !== id && this.fillOpen(this.fillId(from));
  }

  // May the diagram show the value of trace step `id`? As fillOpen, and also a value the view asks for later but
  // knows earlier from another step the learner has answered (a batch of one: E is the sample's E, asked again
  // later); never one known only from an explanation. The later question is still asked (and counted).
  fillShown(id) {
    if (this.fillOpen(id)) return true;
    const far = this.data.far && this.data.far[id];
    const from = far ? this.stepAt(far[0]) : null;
    const via = from ? this.fillId(from) : null;
    return via !== null && via !== id && this.fillOpen(via);
  }

  // The trace steps this view asks for (those of the window the page has: all of them but for a very long trace).
  fillAskable() {
    if (!this.fillSteps || this.fillSteps.fp !== this.fp) {
      this.fillSteps = { fp: this.fp, ids: new Set(this.data.steps.map((s) => this.fillId(s)).filter((id) => id !== null)) };
    }
    return this.fillSteps.ids;
  }

  fillAsks(step) {
    const id = this.fillId(step);
    return !!this.fill && id !== null && !this.fillOpen(id);
  }

  fillQuestion(step, withHint) {
    const start = withHint && step.hint && this.fill.hinted.has(this.fillId(step)) ? step.hint
      : step.ask || String(step.latex).split(" = ")[0]; // the step's symbol where the note's form starts otherwise
    return start + " = {?}";
  }

  fillLatex(step) { return this.fillAsks(step) ? this.fillQuestion(step, false) : step.latex; }

  fillCell(step) {
    const id = this.fillId(step);
    if (!this.fill || id === null) return step.value;
    if (!this.fillOpen(id)) return "?";
    const r = this.fill.results[id];
    return step.value + " " + FILL_MARKS[r ? r.verdict : "revealed"];
  }

  fillFormula(step) {
    const f = this.formula;
    f.classList.remove("bt-broken");
    f.style.setProperty("--bt-fit", "1");
    this.math(f, this.fillQuestion(step, true), true);
    if (f.scrollWidth > f.clientWidth + 1) f.style.setProperty("--bt-fit", String(Math.max(0.98 * f.clientWidth / f.scrollWidth, 0.3)));
  }

  fillHintKey(event) { return !!this.fill && event.altKey && event.code === "KeyH" && !event.ctrlKey && !event.metaKey; }

  // The stepper's keys in fill-in mode (the answer box's own keys are in fillInputKey): true when handled.
  fillKey(event) {
    if (!this.fill) return false;
    const k = event.key;
    const step = this.stepAt(this.pos);
    let handled = true;
    if (k === "?" || this.fillHintKey(event)) this.fillHint();
    else if (event.altKey) handled = false;
    else if (k === "Enter" && !this.pressable(event)) this.fillEnter(false);
    else if (step && this.fillAsks(step) && /^[0-9,+-]$/.test(k)) {
      this.fillFocus(); // not prevented: the character goes into the box
      return true;
    } else handled = false;
    if (handled) { event.preventDefault(); event.stopImmediatePropagation(); }
    return handled;
  }

  fillSync(d) {
    const net = typeof d.fill === "string" ? d.fill : null;
    if (!net) {
      if (this.fill) { clearTimeout(this.fill.timer); this.fill = null; this.fillChanged(); }
      if (this.fillBox) this.fillBox.hidden = true;
      return;
    }
    if (this.fill && this.fill.net === net) return;
    if (this.fill) clearTimeout(this.fill.timer);
    if (!this.fillBox) this.fillBuild();
    if (!this.onFill) {
      this.onFill = (e) => this.fillApply(e.detail, true);
      window.addEventListener("bt-fill", this.onFill);
    }
    this.fill = { net, results: {}, revealed: new Set(), hinted: new Set(), score: null, pending: null, error: null,
      epoch: null, timer: 0 };
    this.fillFor = null;
    this.fillChanged();
    this.fillApply(window.__btFillResults, false);
  }

  fillChanged() {
    this.shown = null;
    this.rows = null;
    this.histItems = new Map();
  }

  // The server's marks (fill.js): every answer's verdict, the revealed steps, the score, the answer to a report.
  fillApply(r, paint) {
    const f = this.fill;
    if (!f || !r || typeof r !== "object" || r.net !== f.net) return;
    const hadFocus = this.fillInput.matches(":focus");
    if (r.epoch !== f.epoch) { f.epoch = r.epoch; f.hinted = new Set(); }
    f.results = r.results || {};
    f.revealed = new Set(r.revealed || []);
    f.score = r.score || null;
    const done = f.pending && r.ack === f.pending.n ? f.pending : null;
    if (done) {
      clearTimeout(f.timer);
      f.pending = null;
      f.error = r.error && r.error.id === done.id ? r.error : null;
    }
    this.fillChanged();
    if (!paint || !this.data) return;
    this.show();
    const step = this.stepAt(this.pos);
    if (!done || !hadFocus || !step || (done.id !== null && this.fillId(step) !== done.id)) return;
    if (this.fillAsks(step)) { this.fillFocus(); this.fillInput.select(); } // not taken: correct it
    else this.wrap.focus({ preventScroll: true }); // marked: Enter (or →) goes on
  }

  fillBuild() {
    const box = el("div", "bt-fill");
    box.setAttribute("role", "group");
    const row = el("div", "bt-fill-row");
    const label = el("label", "bt-fill-label");
    label.htmlFor = "bt-fill-input";
    const input = el("input", "bt-fill-input");
    Object.assign(input, { id: "bt-fill-input", type: "text", autocomplete: "off", spellcheck: false, maxLength: 40 });
    input.setAttribute("inputmode", "decimal");
    input.setAttribute("enterkeyhint", "done");
    input.addEventListener("keydown", (e) => this.fillInputKey(e));
    for (const type of ["keypress", "keyup"]) input.addEventListener(type, (e) => e.stopPropagation());
    const button = (name, action) => {
      const b = el("button", "bt-fill-btn");
      b.type = "button";
      b.dataset.fill = name;
      b.addEventListener("click", action);
      return b;
    };
    this.fillButtons = {
      check: button("check", () => this.fillEnter(true)),
      hint: button("hint", () => this.fillHint()),
      reveal: button("reveal", () => this.fillReveal()),
      restart: button("restart", () => this.fillRestart()),
    };
    this.fillButtons.check.classList.add("bt-fill-primary");
    row.append(label, input, this.fillButtons.check, this.fillButtons.hint, this.fillButtons.reveal);
    const verdict = el("div", "bt-fill-verdict");
    verdict.setAttribute("role", "status");
    verdict.setAttribute("aria-live", "polite");
    const foot = el("div", "bt-fill-foot");
    const score = el("span", "bt-fill-score");
    foot.append(score, this.fillButtons.restart);
    box.append(row, verdict, foot);
    Object.assign(this, { fillBox: box, fillRow: row, fillLabel: label, fillInput: input, fillVerdict: verdict,
      fillScoreLine: score });
    this.formula.after(box);
  }

  // Keys typed in the answer box are the box's: the stepper's keys and Streamlit's hotkeys never see them.
  fillInputKey(e) {
    e.stopPropagation();
    if (e.isComposing || e.keyCode === 229) return;
    if (e.key === "Enter") { e.preventDefault(); this.fillEnter(true); }
    else if (e.key === "Escape") { e.preventDefault(); this.wrap.focus({ preventScroll: true }); }
    else if (e.key === "?" || (e.altKey && e.code === "KeyH")) { e.preventDefault(); this.fillHint(); }
  }

  fillFocus() {
    if (this.fillInput && !this.fillRow.hidden) this.fillInput.focus({ preventScroll: true });
  }

  // Enter: check the value typed; on a step already marked, go to the next one (and into its box).
  fillEnter(fromBox) {
    const step = this.stepAt(this.pos);
    if (!this.fill || !step) return;
    if (this.fillAsks(step)) {
      if (!fromBox) return this.fillFocus();
      if (this.fill.pending) return;
      if (!this.fillInput.value.trim()) {
        this.fill.error = { id: this.fillId(step), text: this.w("fill_empty") };
        return this.fillPaint(step);
      }
      return this.fillSend(this.fillId(step), { text: this.fillInput.value });
    }
    if (this.pos >= this.data.total - 1) return;
    this.go(this.pos + 1);
    if (this.fillAsks(this.stepAt(this.pos))) this.fillFocus();
  }

  fillHint() {
    const step = this.stepAt(this.pos);
    if (!step || !this.fillAsks(step)) return;
    this.fill.hinted.add(this.fillId(step));
    this.shown = null;
    this.show();
  }

  fillReveal() {
    const step = this.stepAt(this.pos);
    if (step && this.fillAsks(step) && !this.fill.pending) this.fillSend(this.fillId(step), { reveal: true });
  }

  fillRestart() {
    if (this.fill && !this.fill.pending) this.fillSend(null, { restart: true });
  }

  fillSend(id, what) {
    const f = this.fill;
    this.report("fill", id === null ? what : { id, ...what });
    f.pending = { n: this.reports, id };
    f.error = null;
    clearTimeout(f.timer);
    f.timer = setTimeout(() => { // no reply (the connection dropped): let the learner try again
      if (f.pending && f === this.fill) {
        f.pending = null;
        f.error = { id, text: this.w("fill_no_reply") };
        this.fillChanged();
        this.show();
      }
    }, FILL_TIMEOUT_MS);
    const step = this.stepAt(this.pos);
    if (step) this.fillPaint(step);
  }

  // How many steps there are to fill in (a view that leaves none out has one per trace step it shows).
  fillTotal() {
    const d = this.data;
    if (d.offset !== 0 || d.steps.length !== d.total) return this.fill.score ? this.fill.score.total : d.total;
    return this.fillAskable().size;
  }

  fillPaint(step) {
    if (!this.fillBox) return;
    const f = this.fill;
    this.fillBox.hidden = !f;
    if (!f) return;
    const id = this.fillId(step);
    const asks = this.fillAsks(step);
    if (this.fillFor !== step.id) { // a new step: an empty box
      this.fillFor = step.id;
      this.fillInput.value = "";
      if (f.error && f.error.id !== id) f.error = null;
    }
    this.fillBox.setAttribute("aria-label", this.w("fill_region"));
    this.fillRow.hidden = !asks;
    if (asks && this.noteBox) this.noteBox.hidden = true; // the note's line may print the value
    this.fillLabel.textContent = this.w("fill_label").replace("{symbol}", step.symbol);
    this.fillInput.placeholder = this.w("fill_placeholder");
    this.fillInput.readOnly = !!f.pending;
    for (const [name, b] of Object.entries(this.fillButtons)) {
      b.textContent = this.w("fill_" + name);
      b.disabled = !!f.pending;
    }
    const r = id !== null ? f.results[id] : undefined;
    let kind = "", word = "", why = "";
    if (f.pending && f.pending.id === id) { kind = "pending"; word = this.w("fill_checking"); }
    else if (r) {
      kind = r.verdict;
      word = this.w("fill_" + r.verdict) + " · " + this.w("fill_yours").replace("{given}", r.given);
      why = r.explanation || "";
    } else if (id !== null && f.revealed.has(id)) { kind = "revealed"; word = this.w("fill_revealed"); }
    else if (f.error && f.error.id === id) { kind = "error"; word = f.error.text; }
    else if (asks && f.hinted.has(id) && !step.hint) { kind = "hint"; word = this.w("fill_no_hint"); }
    const v = this.fillVerdict;
    v.hidden = !kind;
    v.dataset.verdict = kind;
    v.replaceChildren(el("span", "bt-fill-icon", FILL_MARKS[kind] || ""), el("span", "bt-fill-word", word));
    if (why) v.appendChild(el("span", "bt-fill-why", why));
    const s = f.score || {};
    const n = (key) => (typeof s[key] === "number" ? s[key] : 0);
    let line = this.w("fill_score");
    for (const key of ["correct", "carried", "wrong", "revealed"]) line = line.replace("{" + key + "}", n(key));
    line = line.replace("{total}", this.fillTotal());
    if (typeof s.marks === "number" && typeof s.out_of === "number" && s.out_of > 0) {
      line += " · " + this.w("fill_marks").replace("{marks}", s.marks).replace("{out_of}", s.out_of);
    }
    this.fillScoreLine.textContent = line;
  }

  fillDestroy() {
    if (this.fill) clearTimeout(this.fill.timer);
    if (this.onFill) window.removeEventListener("bt-fill", this.onFill);
  }

  destroy() {
    this.fillDestroy();
    clearTimeout(this.timer);
    cancelAnimationFrame(this.raf);
    window.removeEventListener("keydown", this.onKey, true);
    window.removeEventListener("resize", this.onResize);
    this.unblank();
  }
}

// NOTE: Streamlit may call the cleanup before a call with new data, not only on unmount: the stepper (and where
// the learner is) outlives it, and is torn down only if no new call comes and it has left the page.
export default function (component) {
  const { parentElement } = component;
  let stepper = INSTANCES.get(parentElement);
  if (!stepper) {
    stepper = new Stepper(parentElement);
    INSTANCES.set(parentElement, stepper);
  }
  stepper.generation += 1;
  stepper.update(component);
  const generation = stepper.generation;
  return () => {
    setTimeout(() => {
      if (stepper.generation === generation && !stepper.wrap.isConnected) {
        stepper.destroy();
        INSTANCES.delete(parentElement);
      }
    }, 1500);
  };
}
