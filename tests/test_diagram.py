"""The diagram's pure functions: plain-text symbols, the figure at a step, and clicks mapped to steps."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from engine import compute_trace, load_preset, preset_ids
from engine.render import render_trace
from ui.diagram import NEGATIVE, POSITIVE, build_figure, chain_ids, highlight_of, plain, step_for_selection


@pytest.fixture(scope="module")
def note000():
    return compute_trace(load_preset("note000"))


@pytest.fixture(scope="module")
def note004_two_hidden():
    return compute_trace(load_preset("note004_two_hidden"))


def points(figure: dict, name: str) -> dict:
    return next(t for t in figure["data"] if t.get("name") == name)


@pytest.mark.parametrize("latex, text", [
    ("w_5", "w₅"), ("h_{1}", "h₁"), ("a^{(1)}_{2}", "a⁽¹⁾₂"), (r"\frac{\partial E}{\partial w_5}", "∂E/∂w₅"),
    (r"\eta", "η"), ("E_{total}", "E_total"), ("{w_5}^{+}", "w₅⁺"), ("a_{h1}", "aₕ₁"), (r"\delta^{(2)}_{1}", "δ⁽²⁾₁"),
    ("h_1[2]", "h₁[2]"), (r"\text{Loss}", "Loss"), (r"\Delta E", "ΔE"),
])
def test_plain_symbols(latex, text):
    assert plain(latex) == text


def test_figure_labels_neurons_and_edges(note000):
    fig = build_figure(note000, "z:l2:n1:s1", "en")
    go.Figure(fig)  # a valid Plotly figure
    neurons = points(fig, "neurons")
    labels = " ".join(neurons["text"])
    for symbol in ("x₁", "x₂", "h₁", "h₂", "y"):
        assert symbol in labels
    assert "1.25" in labels and "3.8" in labels  # h1, h2 are computed by then
    assert "5.05" not in labels  # y's activation is the next step
    edges = " ".join(points(fig, "edges")["text"])
    assert "w₅" in edges and "w₁" in edges and "2.3" in edges


def test_values_appear_as_the_steps_compute_them(note000):
    first = " ".join(points(build_figure(note000, "z:l1:n1:s1"), "neurons")["text"])
    assert "?" in first
    last = " ".join(points(build_figure(note000, "loss_change"), "neurons")["text"])
    assert "?" not in last


def test_forward_step_highlights_the_neuron_and_its_incoming_edges(note000):
    rendered = render_trace(note000)
    chain = chain_ids({r.id: r.path_ids for r in rendered}, {r.id: r.phase for r in rendered}, "z:l1:n2:s1")
    hl = highlight_of(note000, chain)
    assert (1, 2) in hl.neurons
    assert {(1, 2, 1), (1, 2, 2)} <= hl.edges
    assert (2, 1, 1) not in hl.edges


def test_backward_step_highlights_every_path(note004_two_hidden):
    """Note 004's Equation A: a first-layer weight reaches y through h3 and through h4."""
    rendered = render_trace(note004_two_hidden)
    chain = chain_ids({r.id: r.path_ids for r in rendered}, {r.id: r.phase for r in rendered}, "dE_dw:l1:n1:k1")
    hl = highlight_of(note004_two_hidden, chain)
    assert (1, 1, 1) in hl.edges
    assert {(2, 1, 1), (2, 2, 1)} <= hl.edges  # h1 -> h3 and h1 -> h4
    assert {(3, 1, 1), (3, 1, 2)} <= hl.edges  # h3 -> y and h4 -> y
    assert hl.error


def test_gradient_colours_after_the_backward_phase(note000):
    during = build_figure(note000, "dE_dw:l2:n1:k1")
    colours = {t["line"]["color"] for t in during["data"] if t.get("mode") == "lines"}
    assert NEGATIVE not in colours and POSITIVE not in colours
    after = build_figure(note000, "new_w:l1:n1:k1")
    colours = {t["line"]["color"] for t in after["data"] if t.get("mode") == "lines"}
    assert POSITIVE in colours  # y > t: every gradient of note 000 is positive
    assert after["layout"]["showlegend"]
    legend = [t["name"] for t in after["data"] if t.get("showlegend")]
    assert len(legend) == 2


@pytest.mark.parametrize("preset", preset_ids())
def test_every_point_maps_to_a_step(preset):
    trace = compute_trace(load_preset(preset))
    for step_id in (trace.steps[0].id, trace.steps[len(trace) // 2].id, trace.steps[-1].id):
        fig = build_figure(trace, step_id, "zh")
        for name in ("neurons", "edges"):
            for data in points(fig, name)["customdata"]:
                target = step_for_selection(trace, data)
                assert target is not None and trace.step(target), (name, data)


def test_step_for_selection(note000):
    assert step_for_selection(note000, ["w:l2:n1:k1"]) == "dE_dw:l2:n1:k1"
    assert step_for_selection(note000, "a:l1:n2:s1") == "a:l1:n2:s1"
    assert step_for_selection(note000, ["x:n2:s1"]) == "z:l1:n1:s1"  # the first step that uses x2
    assert step_for_selection(note000, ["loss"]) == "loss"
    assert step_for_selection(note000, ["w:l9:n1:k1"]) is None
    assert step_for_selection(note000, None) is None
    assert step_for_selection(note000, []) is None
    assert step_for_selection(note000, [42]) is None


def test_check_phase_runs_on_the_new_weights(note000):
    fig = build_figure(note000, "check.z:l1:n1:s1")
    edges = " ".join(points(fig, "edges")["text"])
    assert "w₅⁺" in edges and "0.86875" in edges  # w5+ = 1 - 0.1 * 1.3125
    neurons = " ".join(points(fig, "neurons")["text"])
    assert "?" in neurons  # y is recomputed later in the check pass
    assert points(fig, "error")["customdata"] == [["loss_after"]]
