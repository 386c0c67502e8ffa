"""The stepper component's data (ui/stepper_data.py): every step, in order, with what the diagram lights up.

Expected values come from the engine's trace and rendering and from the notes (note 000: dE/dw5 = 1.3125),
never from the payload builder itself.
"""

from __future__ import annotations

import json

import pytest

from engine import compute_trace, load_preset, parse_config, preset_ids
from engine.render import RenderOptions, render_trace
from ui import display, stepper_data

DEFAULT = RenderOptions()


def payload(preset: str, opts: RenderOptions = DEFAULT, position: int = 0) -> dict:
    trace = compute_trace(load_preset(preset))
    window = stepper_data.Window.around(len(trace), position)
    data = stepper_data.build(trace, render_trace(trace, opts), opts, window)
    return json.loads(stepper_data.encode(data))  # what the browser gets: JSON, no NaN


@pytest.mark.parametrize("preset", preset_ids())
def test_every_step_goes_in_order_with_its_rendering(preset):
    trace = compute_trace(load_preset(preset))
    rendered = render_trace(trace, RenderOptions())
    data = payload(preset)
    assert data["total"] == len(trace) and data["offset"] == 0
    assert [s["id"] for s in data["steps"]] == [s.id for s in trace.steps]
    assert [s["latex"] for s in data["steps"]] == [r.latex for r in rendered]
    assert [s["caption"] for s in data["steps"]] == [r.caption for r in rendered]
    assert [s["phase"] for s in data["steps"]] == [s.phase for s in trace.steps]
    sizes = data["graph"]["sizes"]
    assert sizes == list(trace.network.sizes)
    nodes = {n["key"] for n in data["graph"]["nodes"]}
    edges = {e["key"] for e in data["graph"]["edges"]}
    assert len(nodes) == sum(sizes)
    assert len(edges) == sum(a * b for a, b in zip(sizes, sizes[1:]))
    for step in data["steps"]:
        for part in ("hl", "cur"):
            assert set(step[part]["n"]) <= nodes and set(step[part]["e"]) <= edges, step["id"]
        if "parts" in step:
            assert " = ".join(step["parts"]) == step["latex"]
    for target in data["graph"]["clicks"].values():
        assert target in {s.id for s in trace.steps}


def test_note000_gradient_of_w5_lights_its_chain_back_to_the_error():
    data = payload("note000")
    step = next(s for s in data["steps"] if s["id"] == "dE_dw:l2:n1:k1")
    assert step["value"] == "1.3125"  # the note's ∂E/∂w5
    assert step["cur"]["e"] == ["2_1_1"]
    assert "2_1_1" in step["hl"]["e"] and step["hl"]["err"] is True
    assert data["graph"]["clicks"]["w:l2:n1:k1"] == "dE_dw:l2:n1:k1"  # a click on w5 opens its gradient


def test_diagram_numbers_are_short_and_the_steps_at_the_chosen_precision():
    data = payload("note002", RenderOptions())
    a_h1 = next(s for s in data["steps"] if s["id"] == "a:l1:n1:s1")
    assert a_h1["value"] == "0.5932699921" and a_h1["short"] == "0.59327"  # sigmoid(0.3775), 5 significant
    data = payload("note002", RenderOptions(decimals=5))
    a_h1 = next(s for s in data["steps"] if s["id"] == "a:l1:n1:s1")
    assert a_h1["value"] == "0.59327" and "short" not in a_h1
    assert data["graph"]["nodes"][0]["x"] == ["0.05000", "0.80000"]  # i1 of each sample, as the note writes it


def test_phase_firsts_are_global_positions():
    trace = compute_trace(load_preset("note001"))
    data = payload("note001")
    for phase, at in data["firsts"].items():
        assert trace.steps[at].phase == phase
        assert all(s.phase != phase for s in trace.steps[:at])


def test_words_follow_the_language():
    assert stepper_data.words("zh")["next"] == "下一步"
    assert stepper_data.words("en")["counter"] == "Step {n} / {total}"
    assert stepper_data.words("zh")["phase_backward"] == "反向传播"


def test_fingerprint_tells_what_changed():
    a = stepper_data.fingerprint("config", "en")
    assert a == stepper_data.fingerprint("config", "en")
    assert a != stepper_data.fingerprint("config", "zh") != stepper_data.fingerprint("config2", "zh")
    assert stepper_data.fingerprint("\ud800")  # a lone surrogate cannot break it


def _wide(samples: int) -> dict:
    """3 layers of 5 sigmoid neurons: a trace past FULL_LIMIT steps with 12 samples."""
    layers = []
    previous = 2
    for i, n in enumerate((5, 5, 2)):
        layers.append({"activation": "sigmoid", "bias": [0.1] * n,
                       "weights": [[round(0.1 * ((j + k + i) % 7) - 0.3, 2) for k in range(previous)] for j in range(n)]})
        previous = n
    return {"layers": layers, "loss": "half_squared_error", "learning_rate": 0.5,
            "samples": [{"x": [0.1 * (s + 1), 0.2], "target": [0.1, 0.9]} for s in range(samples)]}


def test_windows_of_a_long_trace():
    assert stepper_data.Window.around(50, 49) == stepper_data.Window(0, 50)
    total = stepper_data.FULL_LIMIT + 500
    w = stepper_data.Window.around(total, 0)
    assert (w.start, w.stop) == (0, stepper_data.WINDOW)
    w = stepper_data.Window.around(total, total - 1)
    assert (w.start, w.stop) == (total - stepper_data.WINDOW, total)
    w = stepper_data.Window.around(total, 1200)
    assert w.start <= 1200 < w.stop and w.stop - w.start == stepper_data.WINDOW


def test_a_long_trace_goes_as_a_window_with_global_positions():
    trace = compute_trace(parse_config(_wide(12)))
    assert len(trace) > stepper_data.FULL_LIMIT
    opts = RenderOptions(decimals=4)
    window = stepper_data.Window.around(len(trace), len(trace) - 1)
    data = json.loads(stepper_data.encode(stepper_data.build(trace, render_trace(trace, opts), opts, window)))
    assert data["total"] == len(trace) and data["offset"] == window.start
    assert [s["id"] for s in data["steps"]] == [s.id for s in trace.steps[window.start:window.stop]]
    assert data["ends"] == [trace.steps[0].id, trace.steps[-1].id]
    assert trace.steps[data["firsts"]["forward"]].phase == "forward"


def test_display_defaults_follow_the_notes():
    assert display.default_precision("note002") == "d5"
    assert display.default_precision("note000") == "auto"
    assert display.default_precision("tanh_2_2_2") == display.SHORT_DEFAULT
    assert display.parse_precision(" D3 ") == "d3"
    assert display.parse_precision("d99") is None and display.parse_precision("x" * 10_000) is None
