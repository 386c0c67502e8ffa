"""The step-through page in a real browser: the stepper component (ui/stepper_component/) with keys and clicks.

The stepper steps in the browser, inside an open shadow root (Playwright's CSS locators pierce it; code in the
page goes through `host.shadowRoot`, see streamlit_page.STEPPER_ROOT_JS). It marks the current step as
`#current-step[data-step-id][data-position]`; the formula is KaTeX in `.bt-formula`, whose MathML annotation
holds the LaTeX source (the step's LaTeX, or, when too wide, the same parts broken at each "=" into `aligned`:
class `bt-broken`). Every press is handled in the page; the server learns the step 450 ms after the last press
(one fragment run), draws `.bt-server-step[data-step-id]` and writes `?step=` into the URL. The tests wait for
these conditions, never for a fixed time.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect
from streamlit_page import (
    ARTIFACTS,
    STEPPER_ROOT_JS,
    blur,
    exceptions,
    expect_rerun,
    open_stepper,
    press_many,
    press_step,
    stepper_state,
    wait_server_step,
    wait_url_step,
)

from engine import compute_trace, load_preset, noteview, preset_ids
from engine.render import RenderOptions
from ui.display import default_precision

STEP_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class Expected:
    id: str
    phase: str
    latex: str
    broken: str  # the LaTeX the stepper renders when the formula is too wide: its parts aligned at "="


def render_options(preset: str, lang: str = "en", precision: str | None = None) -> RenderOptions:
    """What the page renders with: the preset's own precision (ui/display.py) unless the URL chose one."""
    precision = precision or default_precision(preset)
    decimals = int(precision[1:]) if precision.startswith("d") else None
    significant = int(precision[1:]) if precision.startswith("s") else None
    return RenderOptions(lang=lang, decimals=decimals, significant=significant)


@functools.cache
def expected(preset: str, lang: str = "en", precision: str | None = None, view: str | None = None
             ) -> tuple[Expected, ...]:
    """Every step as the page shows it by default (English, the preset's precision, ×, as in the note for a note)."""
    trace = compute_trace(load_preset(preset))
    out = []
    view = view or noteview.default_view(trace.network)  # a note opens as in the note; others in the engine's order
    for v in noteview.render_view(trace, render_options(preset, lang, precision), view):
        r = v.rendered
        parts = r.latex.split(" = ")
        broken = "\\begin{aligned}" + parts[0] + " &= " + " \\\\ &= ".join(parts[1:]) + "\\end{aligned}"
        out.append(Expected(v.id, r.phase, r.latex, broken))
    return tuple(out)


def check(state: dict, steps: tuple[Expected, ...], i: int, where: str) -> None:
    """The stepper shows step i (0-based) of `steps`: id, position, counter, phase, formula, no errors."""
    want = steps[i]
    assert (state["id"], state["position"]) == (want.id, i + 1), where
    assert state["wrapId"] == want.id, where
    assert re.findall(r"\d+", state["counter"]) == [str(i + 1), str(len(steps))], (where, state["counter"])
    assert state["phase"] == want.phase, where
    assert state["tex"] == (want.broken if state["broken"] else want.latex), f"{where}: formula of {want.id}"
    assert state["katexErrors"] == 0, f"{where}: a KaTeX error at {want.id}"
    assert state["exceptions"] == 0, where
    assert state["previousDisabled"] == (i == 0), where
    assert state["nextDisabled"] == (i == len(steps) - 1), where


def query(page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


def page_errors(page) -> list[str]:
    return [e for e in page.console_errors if "favicon" not in e]


# --- every step of every preset, with the keyboard ---------------------------------------------------------------

@pytest.mark.parametrize("preset", preset_ids())
def test_keys_walk_every_step(page, app_server, preset):
    """End, Home, then → through every step (id sequence and formula as the engine renders them), ← back a few."""
    steps = expected(preset)
    state = open_stepper(page, app_server, {"preset": preset})
    check(state, steps, 0, f"{preset}: opened")
    state = press_step(page, "End", state["id"], STEP_TIMEOUT_MS)
    check(state, steps, len(steps) - 1, f"{preset}: End")
    state = press_step(page, "Home", state["id"], STEP_TIMEOUT_MS)
    check(state, steps, 0, f"{preset}: Home")
    walk = press_many(page, "ArrowRight", len(steps))  # one more than needed: → at the last step stays there
    for i, state in enumerate(walk[:-1], start=1):
        assert state is not None, f"{preset}: nothing painted after → to step {i + 1}"
        check(state, steps, i, f"{preset}: → to step {i + 1}")
    assert [s["id"] for s in walk] == [s.id for s in steps[1:]] + [steps[-1].id], preset
    state = walk[-1]
    for i in range(len(steps) - 2, len(steps) - 5, -1):
        state = press_step(page, "ArrowLeft", state["id"], STEP_TIMEOUT_MS)
        check(state, steps, i, f"{preset}: ← to step {i + 1}")
    assert exceptions(page) == []
    assert page_errors(page) == []


# --- clicks --------------------------------------------------------------------------------------------------------

def click_to(page, selector: str, old: str) -> dict:
    page.locator(selector).first.click()
    return stepper_state(page, old, STEP_TIMEOUT_MS)


EDGE_COLOURS = f"""() => {{
  const root = {STEPPER_ROOT_JS};
  const lines = [...root.querySelectorAll('.bt-edge')], labels = [...root.querySelectorAll('.bt-edge-label')];
  return {{ legendHidden: root.querySelector('.bt-legend').hidden,
           edges: labels.map((l, i) => [l.dataset.target, lines[i].getAttribute('stroke'),
                                        lines[i].getAttribute('stroke-dasharray')]) }};
}}"""


def test_buttons_and_phase_jumps(page, app_server):
    steps = expected("note002")
    trace = compute_trace(load_preset("note002"))
    state = open_stepper(page, app_server, {"preset": "note002"})
    for action, i in (("next", 1), ("next", 2), ("previous", 1), ("last", len(steps) - 1), ("first", 0)):
        state = click_to(page, f".bt-btn[data-action={action}]", state["id"])
        check(state, steps, i, f"button {action}")
    for phase in [p for p in ("backward", "update", "check", "loss", "forward") if any(s.phase == p for s in steps)]:
        first = next(i for i, s in enumerate(steps) if s.phase == phase)
        if first != state["position"] - 1:
            state = click_to(page, f".bt-phase[data-phase={phase}]", state["id"])
        check(state, steps, first, f"phase {phase}")
        assert page.locator(".bt-phase.bt-active").get_attribute("data-phase") == phase
        colours = page.evaluate(EDGE_COLOURS)
        # the gradients' colours and their legend from the update phase on (blue negative, vermillion dashed positive)
        assert colours["legendHidden"] == (phase not in ("update", "check")), phase
        if phase == "update":
            for target, stroke, dash in colours["edges"]:
                grad = trace.value("dE_dw:" + target.split(":", 1)[1])
                if grad < 0:
                    assert (stroke.upper(), dash) == ("#0072B2", "none"), target
                elif grad > 0:
                    assert stroke.upper() == "#D55E00" and dash not in (None, "none"), target
    assert exceptions(page) == []
    assert page_errors(page) == []


def test_clicks_on_the_diagram_and_the_table_jump_to_their_step(page, app_server):
    steps = expected("note000", view="full")  # full detail: every step of the trace has its place
    ids = [s.id for s in steps]
    state = open_stepper(page, app_server, {"preset": "note000", "view": "full"})
    # a neuron (forward phase: it stands for its output a), then an edge label (its weight's gradient)
    state = click_to(page, '.bt-node[data-target="a:l1:n2:s1"]', state["id"])
    check(state, steps, ids.index("a:l1:n2:s1"), "neuron h2")
    state = click_to(page, '.bt-edge-label[data-target="w:l2:n1:k1"]', state["id"])
    check(state, steps, ids.index("dE_dw:l2:n1:k1"), "edge label w5")
    assert "w_5" in state["tex"] and "1.3125" in state["tex"]
    state = click_to(page, '.bt-edge-label[data-target="w:l1:n2:k1"]', state["id"])
    check(state, steps, ids.index("dE_dw:l1:n2:k1"), "edge label w3")
    # a row of the values table (rows of the steps so far, newest first; the first cell is the step's number)
    row = page.locator(".bt-values tbody tr").filter(has=page.locator("td:first-child", has_text=re.compile(r"^3$")))
    row.click()
    state = stepper_state(page, state["id"], STEP_TIMEOUT_MS)
    check(state, steps, 2, "table row 3")
    # the error node (loss), after Home so it stands for the loss
    state = press_step(page, "Home", state["id"])
    state = click_to(page, ".bt-error", state["id"])
    check(state, steps, ids.index("loss"), "error node")
    assert exceptions(page) == []
    assert page_errors(page) == []


# --- language, URL, precision, presentation ---------------------------------------------------------------------------

def test_language_switch_keeps_the_step(page, app_server):
    en, zh = expected("note001"), expected("note001", "zh")
    state = open_stepper(page, app_server, {"preset": "note001"})
    for _ in range(4):
        state = press_step(page, "ArrowRight", state["id"])
    check(state, en, 4, "→ ×4")
    with expect_rerun(page):  # at once, before the stepper has told the server where it is
        page.locator(".st-key-lang button").filter(has_text="中文").click()
    expect(page.locator(".bt-counter")).to_have_text(f"第 5 步 / 共 {len(zh)} 步")
    expect(page.locator(".bt-btn[data-action=next]")).to_contain_text("下一步")
    state = stepper_state(page)
    check(state, zh, 4, "in Chinese")
    assert re.search(r"[\u4e00-\u9fff]", state["caption"]), state["caption"]
    wait_url_step(page, zh[4].id)
    assert query(page)["lang"] == "zh"
    blur(page)  # the arrow keys belong to the language switch while it has the focus (it is a radio group)
    state = press_step(page, "ArrowRight", state["id"])
    check(state, zh, 5, "→ in Chinese")
    with expect_rerun(page):
        page.locator(".st-key-lang button").filter(has_text="English").click()
    expect(page.locator(".bt-counter")).to_have_text(f"Step 6 / {len(en)}")
    check(stepper_state(page), en, 5, "back in English")
    page.wait_for_url(re.compile(r"[?&]lang=en"))
    assert exceptions(page) == []
    assert page_errors(page) == []


def test_stepping_writes_the_step_into_the_url_and_a_reload_opens_it(page, app_server):
    steps = expected("note000")
    state = open_stepper(page, app_server, {"preset": "note000"})
    for key in ("ArrowRight", "ArrowRight", "ArrowRight", "ArrowRight", "ArrowLeft"):
        state = press_step(page, key, state["id"])
    check(state, steps, 3, "→ ×4, ←")
    wait_url_step(page, steps[3].id)  # 450 ms after the last press, one fragment run
    wait_server_step(page, steps[3].id)
    assert query(page)["preset"] == "note000"
    page.reload(wait_until="domcontentloaded")
    check(stepper_state(page, timeout_ms=60_000), steps, 3, "after a reload")
    # a link to a step
    state = open_stepper(page, app_server, {"preset": "note000", "step": "dE_dw:l2:n1:k1"})
    i = [s.id for s in steps].index("dE_dw:l2:n1:k1")
    check(state, steps, i, "from the URL")
    assert page.locator('[data-testid="stAlert"]').count() == 0
    state = press_step(page, "ArrowLeft", state["id"])
    check(state, steps, i - 1, "← from the URL's step")
    wait_url_step(page, steps[i - 1].id)
    assert exceptions(page) == []


@pytest.mark.parametrize("bad", ["dE_dw:l9:n1:k1", "0"])
def test_malformed_step_in_the_url_falls_back_politely(page, app_server, bad):
    state = open_stepper(page, app_server, {"preset": "note000", "step": bad})
    notice = page.locator('[data-testid="stAlert"]').filter(has_text=bad)
    notice.first.wait_for(state="visible")
    assert "no step" in notice.first.inner_text()
    check(state, expected("note000"), 0, f"step={bad}")
    assert exceptions(page) == []


def test_precision_from_the_url_and_from_the_sidebar(page, app_server):
    d3 = expected("note002", precision="d3")
    at = [s.id for s in d3].index("z:l1:n1:s1")
    state = open_stepper(page, app_server, {"preset": "note002", "precision": "d3", "step": "z:l1:n1:s1"})
    check(state, d3, at, "precision=d3")
    assert "0.378" in state["tex"] and "0.37750" not in state["tex"]
    state = press_step(page, "ArrowRight", state["id"])
    check(state, d3, at + 1, "→ at d3")
    with expect_rerun(page):
        page.locator(".st-key-precision input[role=combobox]").click()
        page.locator("[role=option]").filter(has_text="6 decimals").click()
    d6 = expected("note002", precision="d6")
    expect(page.locator(".bt-formula .katex-mathml annotation")).to_have_text(
        re.compile("^" + re.escape(d6[at + 1].latex) + "$|^" + re.escape(d6[at + 1].broken) + "$"))
    check(stepper_state(page), d6, at + 1, "6 decimals from the sidebar")
    page.wait_for_url(re.compile(r"[?&]precision=d6"))
    blur(page)
    state = press_step(page, "ArrowRight", d6[at + 1].id)
    check(state, d6, at + 2, "→ at d6")
    assert exceptions(page) == []


def test_presentation_switch_keeps_the_step(page, app_server):
    steps = expected("note002")
    page.set_viewport_size({"width": 1440, "height": 1000})
    state = open_stepper(page, app_server, {"preset": "note002", "step": "dE_dw:l1:n1:k1"})
    i = state["position"] - 1
    check(state, steps, i, "from the URL")
    state = press_step(page, "ArrowRight", state["id"])
    assert page.locator('[data-testid="stSidebar"]').is_visible()
    assert page.locator(".bt-stepper.bt-present").count() == 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "step-through-normal-1440x1000.png"), full_page=True)
    with expect_rerun(page):
        page.locator(".st-key-present label").first.click()
    page.wait_for_url(re.compile(r"[?&]present=1"))
    page.locator(".bt-stepper.bt-present").wait_for(state="attached")
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    assert page.locator(".st-key-exp_editor").count() == 0  # the editors are gone
    assert not page.locator(".bt-side").is_visible()  # no table in presentation
    check(stepper_state(page), steps, i + 1, "presentation")
    assert exceptions(page) == []


def test_presentation_mode_from_the_url_in_chinese(page, app_server):
    page.set_viewport_size({"width": 1920, "height": 1080})
    state = open_stepper(page, app_server, {"preset": "note000", "present": "1", "lang": "zh"})
    check(state, expected("note000", "zh"), 0, "present=1&lang=zh")
    page.locator(".bt-stepper.bt-present").wait_for(state="attached")
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    expect(page.locator(".bt-btn[data-action=next]")).to_contain_text("下一步")
    size = page.evaluate(f"() => parseFloat(getComputedStyle({STEPPER_ROOT_JS}.querySelector('.bt-formula')).fontSize)")
    assert size >= 32, size  # readable from the back of the room
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "step-through-presentation-zh-1920x1080.png"))


def test_the_notes_line_shows_under_the_step_and_added_steps_say_so(page, app_server):
    state = open_stepper(page, app_server, {"preset": "note000", "step": "dE_da:l2:n1:s1"})
    assert state["id"] == "dE_da:l2:n1:s1"
    box = page.locator(".bt-note")
    expect(box).to_be_visible()
    expect(box.locator(".bt-badge")).to_have_text("slip in the note")
    expect(box.locator(".bt-note-text")).to_contain_text("In the note, line 57: the note printed −1.05")
    expect(box.locator(".bt-note-line")).to_contain_text("-1.05$$")  # the note's own line, as text
    # E is known from the note's line 50 on, although the note writes E again only at its end
    expect(page.locator(".bt-error .bt-node-value")).to_have_text("0.55125")
    state = open_stepper(page, app_server, {"preset": "note000", "view": "full", "step": "delta:l2:n1:s1", "lang": "zh"})
    expect(page.locator(".bt-note .bt-badge")).to_have_text("本页补充")
    state = press_step(page, "ArrowRight", state["id"])
    assert state["id"] == "dz_dw:l2:n1:k1:s1"
    state = open_stepper(page, app_server, {"preset": "tanh_2_2_2"})
    expect(page.locator(".bt-note")).to_be_hidden()
    assert exceptions(page) == []
