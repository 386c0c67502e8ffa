"""The step-through page in a real browser: the keyboard through every step of every preset, a click on
the diagram, the language switch, the URL, and the normal and presentation modes (with screenshots).

The page marks the current step as `#current-step[data-step-id][data-position]`; the formula is the
KaTeX under `.st-key-formula`, whose MathML annotation holds the LaTeX source. After a key press the
tests wait in the page (one `wait_for_function`) until the step id has changed and the script run has
finished, not for a fixed time.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from streamlit_page import (
    ARTIFACTS,
    app_url,
    exceptions,
    expect_rerun,
    goto_app,
    katex_errors,
    wait_for_app_idle,
)

from engine import compute_trace, load_preset, preset_ids
from engine.render import RenderOptions, render_trace

STEP_TIMEOUT_MS = 15_000

# The current step once the run that drew it has finished. The run's first message (status "running")
# comes before its deltas, so a changed step id together with "notRunning" means the run is over and the
# buttons (whose targets Right/Left/Home/End click) are the new ones.
SETTLED_STEP = """
(old) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const el = document.querySelector('#current-step');
  if (!app || !el || el.dataset.stepId === old) return false;
  if (app.dataset.testScriptState !== 'notRunning') return false;
  const annotation = document.querySelector('.st-key-formula .katex-mathml annotation');
  // A page's first formula and buttons can come a little after the rest: KaTeX and the button are loaded on first use.
  if (!annotation || !document.querySelector('.st-key-btn_next button')) return false;
  return {
    id: el.dataset.stepId,
    position: Number(el.dataset.position),
    tex: annotation.textContent,
    katexErrors: document.querySelectorAll('.katex-error').length,
    exceptions: document.querySelectorAll('[data-testid="stException"]').length,
  };
}
"""

# Where a Plotly point is on the screen: from the graph div's full layout (axes' data-to-pixel maps).
PLOT_POINT = """
([traceName, ident]) => {
  const gd = document.querySelector('.js-plotly-plot');
  if (!gd || !gd._fullLayout || !gd._fullData) return null;
  const trace = gd._fullData.find(t => t.name === traceName);
  if (!trace) return null;
  const i = trace.customdata.findIndex(c => (Array.isArray(c) ? c[0] : c) === ident);
  if (i < 0) return null;
  const layout = gd._fullLayout, box = gd.getBoundingClientRect();
  return { x: box.left + layout._size.l + layout.xaxis.d2p(trace.x[i]),
           y: box.top + layout._size.t + layout.yaxis.d2p(trace.y[i]) };
}
"""


@functools.cache
def expected(preset: str) -> list[tuple[str, str]]:
    """(step id, LaTeX) of every step, as the app shows them by default (English, exact numbers, ×)."""
    trace = compute_trace(load_preset(preset))
    return [(r.id, r.latex) for r in render_trace(trace, RenderOptions())]


def current(page) -> dict:
    """The current step (waiting for a run in progress to finish)."""
    return page.wait_for_function(SETTLED_STEP, arg="", polling="raf", timeout=STEP_TIMEOUT_MS).json_value()


def focus_page(page) -> None:
    """Keyboard shortcuts are ignored while a widget has the focus: give it back to the document."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")


def press(page, key: str, old_id: str) -> dict:
    """Press a key that moves the stepper; return the new step once its run has finished."""
    page.keyboard.press(key)
    handle = page.wait_for_function(SETTLED_STEP, arg=old_id, polling="raf", timeout=STEP_TIMEOUT_MS)
    return handle.json_value()


def query(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def formula_font_px(page) -> float:
    return page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.st-key-formula .katex')).fontSize)")


# --- every step of every preset, with the keyboard ---------------------------------------------------------
# About 1,150 steps, each a fragment run on the server and a redraw in the browser (mostly the Plotly chart,
# which Streamlit re-creates on every step). Two pages step at once so that one page's wait (the server's
# run, the network) overlaps the other's drawing: each lane is a page of its own (own browser context, own
# session) and takes the next preset of its group when it has finished one. The lanes move in lock step:
# press a key in every lane, then collect the results in turn. The presets are split into groups of about
# the same number of steps, one test each, so every test stays well inside CI's per-test timeout.

LANES = 2


def _groups(n: int) -> list[tuple[str, ...]]:
    """The presets in n groups of about the same number of steps (longest first within a group)."""
    groups: list[list[str]] = [[] for _ in range(n)]
    for preset in sorted(preset_ids(), key=lambda p: -len(expected(p))):
        min(groups, key=lambda g: sum(len(expected(p)) for p in g)).append(preset)
    return [tuple(g) for g in groups]


class Lane:
    """One page stepping through one preset at a time."""

    def __init__(self, browser, base_url: str) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(STEP_TIMEOUT_MS)
        self.page = self.context.new_page()
        self.base_url = base_url
        self.preset: str | None = None

    def open(self, preset: str) -> None:
        self.preset, self.steps, self.index, self.last = preset, expected(preset), 0, None
        self.page.goto(app_url(self.base_url, {"preset": preset}), wait_until="commit")
        self.old = ""  # the step id the next result must differ from
        self.action = "open"

    def settled(self) -> dict:
        timeout = 60_000 if self.action == "open" else STEP_TIMEOUT_MS
        try:
            return self.page.wait_for_function(SETTLED_STEP, arg=self.old, polling="raf", timeout=timeout).json_value()
        except PlaywrightTimeoutError:
            on_page = self.page.evaluate("() => document.querySelector('#current-step')?.dataset.stepId")
            pytest.fail(f"{self.preset}: {self.action} from {self.old or 'the URL'} (step {self.index + 1}) did not "
                        f"settle within {timeout} ms; the page shows step {on_page}", pytrace=False)

    def advance(self, state: dict) -> bool:
        """Check the step the last action led to and start the next action; False when the preset is done."""
        preset, steps = self.preset, self.steps
        where = f"{preset}: {self.action} from {self.old or 'the URL'}"
        assert state["katexErrors"] == 0, f"{where}: a KaTeX error is on the page"
        assert state["exceptions"] == 0, f"{where}: {exceptions(self.page)}"
        if self.action in ("open", "Home"):
            assert (state["id"], state["position"]) == (steps[0][0], 1), where
            assert state["tex"] == steps[0][1], where
        elif self.action == "ArrowRight":
            self.index += 1
            assert (state["id"], state["position"]) == (steps[self.index][0], self.index + 1), where
            assert state["tex"] != self.last["tex"], f"{where}: the formula did not change"
            assert state["tex"] == steps[self.index][1], where
        elif self.action == "End":
            assert (state["id"], state["position"]) == (steps[-1][0], len(steps)), where
            assert query(self.page)["step"] == steps[-1][0], where
            return False
        if self.action == "open":
            wait_for_app_idle(self.page)  # the buttons' keyboard shortcuts are bound just after they are drawn
            focus_page(self.page)
        if self.index < len(steps) - 1 and self.action != "Home":
            self.action = "ArrowRight"
        elif self.action == "ArrowRight":
            assert self.page.locator(".st-key-btn_next button").is_disabled(), f"{preset}: Next at the last step"
            self.action = "Home"
        else:
            self.action = "End"
        self.last, self.old = state, state["id"]
        self.page.keyboard.press(self.action)
        return True


@pytest.mark.parametrize("presets", _groups(2), ids=lambda g: "+".join(g))
def test_keyboard_steps_through_every_step(browser, app_server, presets):
    """Right through every step of each preset (the step id, the formula, no KaTeX error), then Home, End."""
    todo = list(presets)
    lanes = [Lane(browser, app_server) for _ in range(min(LANES, len(todo)))]
    try:
        for lane in lanes:
            lane.open(todo.pop(0))
        active = list(lanes)
        while active:
            for lane in list(active):
                try:
                    more = lane.advance(lane.settled())
                except Exception:
                    ARTIFACTS.mkdir(parents=True, exist_ok=True)
                    lane.page.screenshot(path=str(ARTIFACTS / f"FAILED-keyboard-{lane.preset}.png"), full_page=True)
                    raise
                if not more:
                    if todo:
                        lane.open(todo.pop(0))
                    else:
                        active.remove(lane)
    finally:
        for lane in lanes:
            lane.context.close()


# --- the diagram -------------------------------------------------------------------------------------------

def click_point(page, trace_name: str, ident: str) -> None:
    page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
    point = page.wait_for_function(PLOT_POINT, arg=[trace_name, ident], timeout=STEP_TIMEOUT_MS).json_value()
    page.mouse.move(point["x"], point["y"])  # Plotly picks the clicked point from its hover
    page.wait_for_timeout(50)
    with expect_rerun(page):
        page.mouse.click(point["x"], point["y"])


def test_clicking_a_diagram_edge_or_neuron_jumps_to_its_step(page, app_server):
    goto_app(page, app_server, {"preset": "note000"})
    click_point(page, "edges", "w:l2:n1:k1")  # w5's edge: its label is the edge's clickable point
    state = current(page)
    assert state["id"] == "dE_dw:l2:n1:k1"
    assert "w_5" in state["tex"] and "1.3125" in state["tex"]
    assert query(page)["step"] == "dE_dw:l2:n1:k1"
    click_point(page, "edges", "w:l1:n2:k1")  # the chart starts afresh after a click: a second one counts
    assert current(page)["id"] == "dE_dw:l1:n2:k1"
    focus_page(page)
    press(page, "Home", current(page)["id"])
    click_point(page, "neurons", "a:l1:n2:s1")  # forward phase: a neuron stands for its output a
    assert current(page)["id"] == "a:l1:n2:s1"
    click_point(page, "error", "loss")
    assert current(page)["id"] == "loss"
    assert exceptions(page) == []


def test_phase_buttons_jump_to_the_first_step_of_each_phase(page, app_server):
    goto_app(page, app_server, {"preset": "note002"})
    trace = compute_trace(load_preset("note002"))
    for key, phase in (("jump_backward", "backward"), ("jump_update", "update"), ("jump_check", "check"),
                       ("jump_error", "loss"), ("jump_forward", "forward")):
        with expect_rerun(page):
            page.locator(f".st-key-{key} button").click()
        first = next(s.id for s in trace.steps if s.phase == phase)
        assert current(page)["id"] == first, key


# --- language ----------------------------------------------------------------------------------------------

def test_language_switch_changes_the_text_and_the_url(page, app_server):
    goto_app(page, app_server, {"preset": "note001", "step": "3"})
    assert "Next" in page.locator(".st-key-btn_next").inner_text()
    with expect_rerun(page):
        page.locator(".st-key-lang button").filter(has_text="中文").click()
    page.wait_for_url(re.compile(r"[?&]lang=zh"))
    assert "下一步" in page.locator(".st-key-btn_next").inner_text()
    assert "第 3 步" in page.locator(".st-key-nav").inner_text()
    caption = page.locator(".st-key-caption").inner_text()
    assert re.search(r"[\u4e00-\u9fff]", caption), caption  # the caption is in Chinese too
    state = current(page)
    assert state["position"] == 3 and state["katexErrors"] == 0
    with expect_rerun(page):
        page.locator(".st-key-lang button").filter(has_text="English").click()
    page.wait_for_url(re.compile(r"[?&]lang=en"))
    assert "Next" in page.locator(".st-key-btn_next").inner_text()
    assert "Step 3 / 32" in page.locator(".st-key-nav").inner_text()
    assert exceptions(page) == []


# --- the URL -----------------------------------------------------------------------------------------------

def test_url_opens_a_step_and_stepping_updates_the_url(page, app_server):
    goto_app(page, app_server, {"preset": "note000", "step": "dE_dw:l2:n1:k1"})
    state = current(page)
    assert state["id"] == "dE_dw:l2:n1:k1"
    assert "1.3125" in state["tex"]
    assert page.locator('[data-testid="stAlert"]').count() == 0
    focus_page(page)
    steps = [sid for sid, _ in expected("note000")]
    i = steps.index("dE_dw:l2:n1:k1")
    state = press(page, "ArrowLeft", state["id"])
    assert state["id"] == steps[i - 1]
    page.wait_for_function("id => new URLSearchParams(location.search).get('step') === id", arg=steps[i - 1])
    assert query(page)["step"] == steps[i - 1]
    assert query(page)["preset"] == "note000"


@pytest.mark.parametrize("bad", ["dE_dw:l9:n1:k1", "0"])
def test_malformed_step_in_the_url_falls_back_politely(page, app_server, bad):
    goto_app(page, app_server, {"preset": "note000", "step": bad})
    notice = page.locator('[data-testid="stAlert"]').filter(has_text=bad)
    notice.first.wait_for(state="visible")
    assert "no step" in notice.first.inner_text()
    state = current(page)
    assert (state["id"], state["position"]) == (expected("note000")[0][0], 1)
    assert exceptions(page) == []


# --- normal and presentation modes ---------------------------------------------------------------------------

def test_screenshots_of_normal_and_presentation_modes(page, app_server):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1440, "height": 1000})
    goto_app(page, app_server, {"preset": "note002", "step": "dE_dw:l1:n1:k1"})
    assert page.locator('[data-testid="stSidebar"]').is_visible()
    normal_font = formula_font_px(page)
    page.wait_for_timeout(300)  # the chart's drawing transition
    page.screenshot(path=str(ARTIFACTS / "step-through-normal-1440x1000.png"), full_page=True)

    page.set_viewport_size({"width": 1920, "height": 1080})
    with expect_rerun(page):
        page.locator(".st-key-present label").first.click()
    page.wait_for_url(re.compile(r"[?&]present=1"))
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    assert page.locator(".st-key-exp_editor").count() == 0  # the editors are gone
    big_font = formula_font_px(page)
    assert big_font >= 32, big_font
    assert big_font >= 1.4 * normal_font, (normal_font, big_font)
    assert current(page)["id"] == "dE_dw:l1:n1:k1"
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / "step-through-presentation-1920x1080.png"))
    # the formula and the Next button are on the first screen, readable from the back of the room
    for selector in (".st-key-formula .katex", ".st-key-btn_next button"):
        box = page.locator(selector).first.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 1080, selector
    assert exceptions(page) == [] and katex_errors(page) == 0


def test_presentation_mode_from_the_url(page, app_server):
    page.set_viewport_size({"width": 1920, "height": 1080})
    goto_app(page, app_server, {"preset": "note000", "present": "1", "lang": "zh"})
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    assert formula_font_px(page) >= 32
    assert "下一步" in page.locator(".st-key-btn_next").inner_text()
    page.screenshot(path=str(ARTIFACTS / "step-through-presentation-zh-1920x1080.png"))
