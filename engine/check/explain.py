"""A step's computation written out in names and in numbers: `∂E/∂w5 = δ × ∂y/∂w5 = 1.05 × 1.25 = 1.3125`."""

from __future__ import annotations

import math

import numpy as np

from ..functions import ACTIVATIONS
from ..numbers import format_number
from ..trace import Step, parse_step_id
from .names import Names
from .recompute import Lookup, _Graph

_ACTIVATION_TEXT = {"sigmoid": "σ", "tanh": "tanh", "relu": "relu", "leaky_relu": "leaky_relu", "identity": "",
                    "softmax": "softmax"}


def _num(value: float) -> str:
    """An operand in an explanation: 7 significant digits, no float noise."""
    if not math.isfinite(value):
        return format_number(value)
    return format_number(float(f"{value:.7g}"))


def _computation(graph: _Graph, names: Names, step: Step, get: Lookup) -> tuple[str, str]:
    """The step's formula in names, and the same with the numbers: (`w5·h1 + w6·h2`, `1 × 1.25 + 1 × 3.8`)."""
    a = graph.args[step.id]
    n = names.display

    def v(i: str) -> str:
        text = _num(get(i))
        return f"({text})" if text.startswith("-") else text

    op = step.op
    if op == "weighted_sum":
        sym = " + ".join(f"{n(w)}·{n(x)}" for w, x in zip(a["weights"], a["inputs"]))
        num = " + ".join(f"{v(w)} × {v(x)}" for w, x in zip(a["weights"], a["inputs"]))
        if a.get("bias"):
            sym, num = f"{sym} + {n(a['bias'])}", f"{num} + {v(a['bias'])}"
        return sym, num
    if op == "activation":
        act = step.extra["activation"]
        f = _ACTIVATION_TEXT.get(act, act)
        if not f:  # identity: a is z, so show how z was computed
            return _computation(graph, names, graph.step(a["z"]), get)
        num = f"{f}({v(a['z'])})"
        if step.extra.get("round_to") is not None:  # then ≈ the rounded value (see _line)
            num += " = " + _num(float(ACTIVATIONS[act].value(np.array([get(a["z"])]))[0])) if ACTIVATIONS[act].elementwise \
                else ""
        return f"{f}({n(a['z'])})", num
    if op == "loss":
        loss = step.extra["loss"]
        pairs = list(zip(a["outputs"], a["targets"]))
        form = {
            "half_squared_error": "1/2 × ({t} − {y})²",
            "squared_error": "({t} − {y})²",
            "mean_squared_error": "({t} − {y})²",
            "binary_cross_entropy": "−[{t}·ln {y} + (1 − {t})·ln(1 − {y})]",
            "cross_entropy": "−{t}·ln {y}",
        }[loss]
        sym = " + ".join(form.format(t=n(t), y=n(y)) for y, t in pairs)
        num = " + ".join(form.format(t=v(t), y=v(y)) for y, t in pairs)
        if loss == "mean_squared_error":
            sym, num = f"({sym}) / {len(pairs)}", f"({num}) / {len(pairs)}"
        return sym, num
    if op in ("mean", "sum") and len(a["terms"]) == 1 and a["terms"][0] in graph.pos:
        return _computation(graph, names, graph.step(a["terms"][0]), get)
    if op in ("mean", "sum"):
        sym = " + ".join(n(t) for t in a["terms"])
        num = " + ".join(v(t) for t in a["terms"])
        if op == "mean":
            return f"({sym}) / {len(a['terms'])}", f"({num}) / {len(a['terms'])}"
        return sym, num
    if op == "loss_derivative":
        loss = step.extra["loss"]
        y, t = a["output"], a["target"]
        forms = {"half_squared_error": "{y} − {t}", "squared_error": "2 × ({y} − {t})",
                 "mean_squared_error": "2 × ({y} − {t}) / " + str(len(a["outputs"])),
                 "binary_cross_entropy": "−{t}/{y} + (1 − {t})/(1 − {y})", "cross_entropy": "−{t}/{y}"}
        return forms[loss].format(y=n(y), t=n(t)), forms[loss].format(y=v(y), t=v(t))
    if op == "activation_derivative":
        act = step.extra["activation"]
        forms = {"sigmoid": "{a} × (1 − {a})", "tanh": "1 − {a}²", "identity": "1",
                 "relu": "({z} > 0 ? 1 : 0)", "leaky_relu": "({z} > 0 ? 1 : 0.01)"}
        if act == "softmax":
            same = parse_step_id(step.id)["wrt"] == step.neuron
            form = "{a} × (1 − {w})" if same else "−{a} × {w}"
            return form.format(a=n(a["a"]), w=n(a["a_wrt"])), form.format(a=v(a["a"]), w=v(a["a_wrt"]))
        form = forms[act]
        return form.format(a=n(a["a"]), z=n(a["z"])), form.format(a=v(a["a"]), z=v(a["z"]))
    if op == "product":
        return " × ".join(n(f) for f in a["factors"]), " × ".join(v(f) for f in a["factors"])
    if op == "sum_over_paths":
        pairs = list(zip(a["deltas"], a["weights"]))
        return (" + ".join(f"{n(d)} × {n(w)}" for d, w in pairs), " + ".join(f"{v(d)} × {v(w)}" for d, w in pairs))
    if op == "jacobian_sum":
        pairs = list(zip(a["dE_da"], a["da_dz"]))
        return (" + ".join(f"{n(e)} × {n(j)}" for e, j in pairs), " + ".join(f"{v(e)} × {v(j)}" for e, j in pairs))
    if op in ("weight", "input"):
        i = a["weight"] if op == "weight" else a["input"]
        return n(i), v(i)
    if op == "constant":
        return "1", "1"
    if op == "update":
        return (f"{n(a['old'])} − {n(a['rate'])} × {n(a['gradient'])}",
                f"{v(a['old'])} − {v(a['rate'])} × {v(a['gradient'])}")
    if op == "difference":
        return f"{n(a['after'])} − {n(a['before'])}", f"{v(a['after'])} − {v(a['before'])}"
    return step.op, ""


def _line(graph: _Graph, names: Names, ident: str, get: Lookup, value: float) -> str:
    """`∂E/∂w5 = δ × ∂y/∂w5 = 1.05 × 1.25 = 1.3125`."""
    parts = [names.display(ident)]
    rounded = False
    if ident in graph.pos:
        step = graph.step(ident)
        sym, num = _computation(graph, names, step, get)
        parts.append(sym)
        if step.op not in ("weight", "input", "constant"):
            parts.append(num)
        rounded = step.op == "activation" and step.extra.get("round_to") is not None
    line = " = ".join(p for i, p in enumerate(parts) if p and p not in parts[:i])
    return f"{line} {'≈' if rounded else '='} {format_number(value)}"
