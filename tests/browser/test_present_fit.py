"""Presentation mode fits a projector's screen: 1280x720, 1366x768 and 1920x1080.

For every step of every note preset (and one bigger network), in `?present=1`: the formula is never cut (it
scales down, or breaks at "="), formula, caption and diagram are on one screen without scrolling, and the
caption is readable from the back row (at least 2.7% of the screen's height).

One page per preset: it is opened once and resized to each screen (at 1920x1080, the roomiest, every 3rd step). The walk runs inside the page: a keydown
(the stepper's own listener, on window) moves one step, and the measurement waits for the next animation
frame, in which the stepper sizes its diagram to the room left (its own requestAnimationFrame runs first).
Screenshots (note 002's widest formulas, and the first step that does not fit) go to
tests/browser/artifacts/present-<preset>-<size>-<step>.png.
"""

from __future__ import annotations

import pytest
from streamlit_page import ARTIFACTS, STEPPER_ROOT_JS, exceptions, open_stepper

from engine import compute_trace, load_preset, noteview

SIZES = [(1280, 720), (1366, 768), (1920, 1080)]
PRESETS = ["note000", "note001", "note002", "note003", "note004", "note004_two_hidden", "leaky_relu_deep"]
MIN_CAPTION = 0.027  # of the screen's height
# Screenshots at every size: note 002's widest formula;
# for every preset, the first step that does not fit.
SCREENSHOTS = {"note002": ["dE_dw:l2:n1:k1"]}  # the note's widest line: ½(δ_{o1}·a_{h1} + δ_{o2}·a_{h1})
# Every step at the two small screens; every 3rd (and the last) at 1920x1080, where there is the most room.
STRIDE = {(1920, 1080): 3}

# Walk every step from Home; for each, measure once the stepper has laid out the frame. Returns one record per
# step: what does not fit (empty when all is well) and the sizes worth reporting.
WALK = """async (stride) => {
  const root = __ROOT__;
  const key = (k) => window.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  const q = (s) => root.querySelector(s);
  key('Home');
  await frame();
  const out = [];
  for (let guard = 0; guard < 5000; guard++) {
    await frame();
    const H = window.innerHeight, W = window.innerWidth;
    const f = q('.bt-formula'), caption = q('.bt-caption'), svg = q('.bt-svg'), callout = q('.bt-callout');
    const legend = q('.bt-legend'), katex = f.querySelector('.katex');
    const bottom = (e) => e.getBoundingClientRect().bottom;
    const problems = [];
    if (!katex) problems.push('no KaTeX in the formula');
    if (f.querySelector('.katex-error')) problems.push('KaTeX error');
    if (f.scrollWidth > f.clientWidth + 1) problems.push(`formula cut: ${f.scrollWidth} px in ${f.clientWidth} px`);
    if (katex && katex.getBoundingClientRect().right > f.getBoundingClientRect().right + 1)
      problems.push('formula past its box');
    const scroller = document.scrollingElement;
    if (scroller.scrollHeight > H + 2) problems.push(`page scrolls: ${scroller.scrollHeight} px high`);
    if (scroller.scrollWidth > W + 1) problems.push(`page scrolls sideways: ${scroller.scrollWidth} px wide`);
    if (bottom(f) > H) problems.push(`formula bottom ${Math.round(bottom(f))}`);
    if (bottom(caption) > H) problems.push(`caption bottom ${Math.round(bottom(caption))}`);
    if (!callout.hidden && bottom(callout) > H) problems.push(`callout bottom ${Math.round(bottom(callout))}`);
    if (!legend.hidden && bottom(legend) > H) problems.push(`legend bottom ${Math.round(bottom(legend))}`);
    const box = svg.getBoundingClientRect();
    if (box.bottom > H + 1) problems.push(`diagram bottom ${Math.round(box.bottom)}`);
    if (box.height < 100) problems.push(`diagram only ${Math.round(box.height)} px high`);
    const captionPx = parseFloat(getComputedStyle(caption).fontSize);
    if (captionPx < __MIN_CAPTION__ * H) problems.push(`caption ${captionPx} px`);
    const line = q('#current-step');
    out.push({ id: line.dataset.stepId, position: Number(line.dataset.position), problems,
               formulaPx: katex ? parseFloat(getComputedStyle(katex).fontSize) : 0,
               broken: f.classList.contains('bt-broken'), captionPx, diagramPx: Math.round(box.height) });
    if (q('.bt-btn[data-action=next]').disabled) break;
    for (let i = 0; i < stride; i++) key('ArrowRight');
  }
  return out;
}""".replace("__ROOT__", STEPPER_ROOT_JS).replace("__MIN_CAPTION__", str(MIN_CAPTION))

GO_TO = """async (position) => {
  const key = (k) => window.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));
  key('Home');
  for (let i = 1; i < position; i++) key('ArrowRight');
  for (let i = 0; i < 3; i++) await new Promise((resolve) => requestAnimationFrame(() => resolve()));
}"""


@pytest.mark.parametrize("preset", PRESETS)
def test_presentation_fits_the_screen(page, app_server, preset, record_property):
    trace = compute_trace(load_preset(preset))
    ids = list(noteview.view_index(trace, noteview.default_view(trace.network)).ids)  # a note: as in the note
    page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
    open_stepper(page, app_server, {"preset": preset, "present": "1"})
    page.locator(".bt-stepper.bt-present").wait_for(state="attached")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems, smallest = [], {}
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_function("([w, h]) => window.innerWidth === w && window.innerHeight === h", arg=[width, height])
        stride = STRIDE.get((width, height), 1)
        steps = page.evaluate(WALK, stride)
        want = ids[::stride] + ([ids[-1]] if (len(ids) - 1) % stride else [])
        assert [s["id"] for s in steps] == want, f"{preset} at {width}x{height}: the walk missed steps"
        for s in steps:
            problems += [f"{width}x{height} {s['id']}: {p}" for p in s["problems"]]
        low = min(steps, key=lambda s: s["formulaPx"])
        smallest[f"{width}x{height}"] = (low["id"], low["formulaPx"], sum(s["broken"] for s in steps))
        first_bad = [s["id"] for s in steps if s["problems"]][:1]
        for step_id in SCREENSHOTS.get(preset, []) + first_bad:
            page.evaluate(GO_TO, ids.index(step_id) + 1)
            name = ("FAILED-" if step_id in first_bad else "") + f"present-{preset}-{width}x{height}-{step_id}"
            page.screenshot(path=str(ARTIFACTS / (name.replace(":", "-") + ".png")))
    # the smallest formula (after scaling down to fit) per screen, and how many steps were broken at "="
    record_property("smallest_formula", smallest)
    print(f"{preset}: smallest formula (step, px, steps broken at '=') {smallest}")
    assert not problems, f"{preset}: {len(problems)} problems, e.g.\n" + "\n".join(problems[:15])
    assert exceptions(page) == []
