"""Any JSON value in any config field gives a Network or one clear ConfigError, never another exception
(issue 8, point 2); a Network that comes out is traced and rendered without an exception."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import ConfigError, compute_trace, parse_config, parse_config_text
from engine.check import check_printed
from engine.config import KNOWN_KEYS, LAYER_KEYS, NOTATION_KEYS, SAMPLE_KEYS
from engine.render import render_trace

# note 002's shape: a batch of two, a shared bias and a per-neuron one, every notation key set
BASE = {
    "title": "hostile", "title_zh": "敌意", "id": "hostile", "source": None,
    "description": {"en": "two samples", "zh": "两个样本"},
    "layers": [{"activation": "sigmoid", "weights": [[0.15, 0.2], [0.25, 0.3]], "bias": 0.35},
               {"activation": "sigmoid", "weights": [[0.4, 0.45]], "bias": [0.6]}],
    "loss": "half_squared_error", "reduction": "mean", "learning_rate": 0.5,
    "samples": [{"x": [0.05, 0.1], "target": [0.01]}, {"x": [0.8, 0.2], "target": [0.99]}],
    "round_to": None, "update_order": "after_all_gradients",
    "printed": [{"step": "loss", "text": "0.3", "where": "step 1"}],
    "experiments": [{"description": "nudge", "set": {"w:l1:n1:k1": 0.2}, "printed": []}],
    "typos": [{"where": "step 2", "what": "a slip"}],
    "notation": {
        "inputs": ["i_1", "i_2"], "neurons": [["a_{h1}", "a_{h2}"], ["a_o"]],
        "pre_activations": [["z_{h1}", "z_{h2}"], ["z_o"]], "weights": [[["w_1", "w_2"], ["w_3", "w_4"]], [["w_5", "w_6"]]],
        "biases": ["b_1", ["b_2"]], "targets": ["y"], "loss": "E_{total}", "sample_loss": "E_{@}",
        "learning_rate": r"\eta", "updated": "@^{+}", "old": "@", "delta": r"\delta_{@}", "sample": "@[#]",
        "difference": "target_minus_output", "matrix_convention": "Wx",
    },
}

PATHS: list[tuple[Any, ...]] = [
    *((key,) for key in KNOWN_KEYS),
    *(("layers", i, key) for i in (0, 1) for key in LAYER_KEYS),
    *(("samples", i, key) for i in (0, 1) for key in SAMPLE_KEYS),
    *(("notation", key) for key in NOTATION_KEYS),
    ("notation", "weights", 0, 1, 0), ("notation", "biases", 1, 0), ("notation", "neurons", 0),
    ("notation", "inputs", 1), ("layers", 0, "weights", 1), ("layers", 1, "weights", 0, 1), ("samples", 1, "x", 0),
    ("printed", 0, "text"), ("printed", 0, "step"), ("experiments", 0, "set"), ("description", "zh"),
]
MISSING = object()  # the field left out

HOSTILE_TEXT = ["", " ", "\ud800", "a\udfffb", "x\\", "\\", "x" + "_{x" * 500 + "}" * 500, r"\input{/etc/passwd}",
                r"\write18{ls}", r"\rule{2000px}{1500px}", r"\colorbox{red}{E}", r"\href{http://x}{E}", "<b>E</b>",
                "@", "#", "@#", "{@}_{(#)}", "@^{+}", "w_{", "}{", "^^5c", "E" * 1000, "\x00", "\u202e",
                "a\nb", "NaN", "sigmoid", "softmax", "sum", "xW", "output_minus_target", "after_each_gradient",
                "w:l1:n1:k1", "dE_dw:l2:n1:k1", "h_1", r"\eta", r"\text{a_b}", r"\begin{bmatrix}a\end{bmatrix}"]
TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=24) | st.sampled_from(HOSTILE_TEXT)
# NOTE: ints of over 4300 digits are built by map: hypothesis cannot repr them inside sampled_from
NUMBERS = (st.integers() | st.sampled_from([10**400, 2**63, 10**6, 10**6 + 1, 0, -1, 13])
           | st.integers(4400, 6000).map(lambda n: -(10**n)) | st.floats() | st.floats(-2, 2))
LEAVES = st.none() | st.booleans() | NUMBERS | TEXT
VALUES = st.one_of(
    st.just(MISSING),
    st.recursive(LEAVES, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
                 max_leaves=16),
)


def _put(config: dict, path: tuple[Any, ...], value: Any) -> dict:
    out = copy.deepcopy(config)
    node: Any = out
    for step in path[:-1]:
        node = node[step]
    if value is MISSING:
        if isinstance(node, dict):
            node.pop(path[-1], None)
        else:
            node[path[-1]] = None
    else:
        node[path[-1]] = value
    return out


def _outcome(config: Any) -> str:
    """"ok" (traced and rendered) or "refused" (one ConfigError); any other exception fails the test."""
    try:
        network = parse_config(config)
    except ConfigError as err:
        message = str(err)
        assert message and message.isprintable(), repr(message)
        assert err.text("zh").isprintable()
        assert len(message) < 2000
        return "refused"
    with np.errstate(all="ignore"):
        trace = compute_trace(network)
        try:
            rendered = render_trace(trace)
        except ConfigError:
            return "refused"
    assert len(rendered) == len(trace.steps)
    for experiment in (None, *range(len(network.meta.get("experiments") or []))):
        try:  # the metadata an uploaded config may carry: marked like a preset's, or one ConfigError
            check_printed(network, experiment=experiment)
        except ConfigError as err:
            assert str(err).isprintable()
    return "ok"


def test_the_base_config_is_good():
    assert _outcome(BASE) == "ok"


@settings(max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(PATHS), value=VALUES)
def test_any_json_value_in_any_field(path, value):
    config = _put(BASE, path, value)
    outcome = _outcome(config)
    try:
        text = json.dumps(config)  # NOTE: NaN and Infinity as JSON's literals; a 5000-digit int cannot be written
    except ValueError:
        return
    try:
        network = parse_config_text(text)
    except ConfigError as err:
        assert str(err).isprintable()
        return
    assert outcome == "ok"
    with np.errstate(all="ignore"):
        render_trace(compute_trace(network))


@settings(max_examples=150, deadline=None, database=None)
@given(value=VALUES)
def test_any_json_value_as_the_whole_config(value):
    assert _outcome(value) in ("ok", "refused")


ISSUE_EXAMPLES = [
    (("title",), "\ud800", "title"),
    (("notation", "loss"), "E\\", "notation.loss"),
    (("notation", "loss"), "x" + "_{x" * 3000 + "}" * 3000, "notation.loss"),
    (("notation", "loss"), 5, "notation.loss"),
    (("notation", "updated"), None, "notation.updated"),
    (("notation", "delta"), 7, "notation.delta"),
    (("notation", "sample"), 2, "notation.sample"),
    (("notation", "updated"), "^{+}", "notation.updated"),
    (("notation", "weights"), [[["w_1", "w_2"]], [["w_5", "w_6"]]], "notation.weights[0]"),
    (("notation", "biases"), ["b_1", ["b_2", "b_3"]], "notation.biases[1]"),
    (("notation", "difference"), "y_minus_t", "notation.difference"),
    (("notation", "\ud800"), "E", "notation.'\\ud800'"),
    (("learning_rate",), 10**4000, "learning_rate"),
    (("description",), {"en": "a" * 5000}, "description.en"),
    (("source",), 5, "source"),
    (("printed", 0, "step"), "not an id!", "printed[0].step"),
    (("experiments", 0, "set"), {"w:l1:n1:k1": "big"}, "experiments[0].set"),
]


@pytest.mark.parametrize(("path", "value", "where"), [pytest.param(p, v, w, id=f"{w}-{i}")
                                                      for i, (p, v, w) in enumerate(ISSUE_EXAMPLES)])
def test_the_issue_examples_give_one_config_error_each(path, value, where):
    with pytest.raises(ConfigError) as info:
        parse_config(_put(BASE, path, value))
    assert str(info.value).startswith(f"{where}"), str(info.value)


@pytest.mark.parametrize(("meta", "where"), [
    ({"printed": [{"step": "z:l9:n1:s1", "text": "1"}]}, "printed[0].step"),
    ({"printed": [{"step": "zz", "text": "1"}]}, "printed[0].step"),
    ({"experiments": [{"set": {"w:l9:n1:k1": 0.2}, "printed": []}]}, "experiments[0].set"),
    ({"experiments": [{"set": {"loss": 0.2}, "printed": []}]}, "experiments[0].set"),
])
def test_printed_numbers_of_steps_that_do_not_exist(meta, where):
    network = parse_config({**BASE, **meta})
    with pytest.raises(ConfigError, match=rf"^{re.escape(where)}: "):
        check_printed(network, experiment=0 if "experiments" in meta else None)
