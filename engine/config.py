"""The config file: one network, its data and its settings; validated with messages that name the field."""

from __future__ import annotations

import difflib
import json
import math
import os
import re
import stat
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .functions import ACTIVATION_ALIASES, ACTIVATIONS, LOSS_ALIASES, LOSSES
from .latex import symbol_problems
from .limits import (
    MAX_ABS,
    MAX_FILE_BYTES,
    MAX_ID_CHARS,
    MAX_INT_DIGITS,
    MAX_LAYERS,
    MAX_META_ITEMS,
    MAX_NEURONS,
    MAX_NUMBER_CHARS,
    MAX_ROUND_TO,
    MAX_SAMPLES,
    MAX_SYMBOL_CHARS,
    MAX_TEXT_CHARS,
    MAX_TITLE_CHARS,
)
from .messages import NOUNS, _number_text, _Shown, describe, render, shown, shown_key
from .numbers import parse_number

__all__ = ["MAX_ABS", "MAX_FILE_BYTES", "MAX_LAYERS", "MAX_NEURONS", "MAX_ROUND_TO", "MAX_SAMPLES", "ConfigError",
           "Layer", "Network", "Sample", "load_config", "parse_config", "parse_config_text", "read_file"]

REDUCTIONS = ("mean", "sum")
UPDATE_ORDERS = ("after_all_gradients", "after_each_gradient")
META_KEYS = ("id", "source", "title_zh", "description", "printed", "experiments", "typos", "exercise")
KNOWN_KEYS = ("title", "layers", "loss", "reduction", "learning_rate", "samples", "round_to", "update_order",
              "notation", *META_KEYS)
LAYER_KEYS = ("activation", "weights", "bias")
SAMPLE_KEYS = ("x", "target")

Bias = None | float | tuple[float, ...]


class ConfigError(ValueError):
    """Bad input; `str(err)` is one line that names the field, e.g. `layers[1].weights: ...`; `err.text("zh")` in Chinese."""

    def __init__(self, where: str, message: str | None = None, *, code: str | None = None, **params: Any):
        where = str(where)
        if not (len(where) <= 200 and where.isprintable()):  # a file name or key from the user: one safe line
            where = shown(where, 120)
        self.where, self.code, self.params = where, code, params
        if code is not None:
            message = render(code, "en", self._params("en"))
        self.message = message or ""
        super().__init__(f"{where}: {self.message}" if where else self.message)

    def _params(self, lang: str) -> dict[str, Any]:
        out = dict(self.params)
        if isinstance(out.get("got"), str):
            out["got"] = _Shown(shown(out["got"]))
        elif isinstance(out.get("got"), (int, float)) and not isinstance(out.get("got"), bool):
            out["got"] = _Shown(_number_text(out["got"]))
        if "value" in out:
            out["got"] = describe(out.pop("value"), lang)
        hint = out.pop("close", None)
        out["hint"] = f"did you mean {hint}? " if hint else ""
        out["hint_zh"] = f"是不是 {hint}？" if hint else ""
        return out

    def text(self, lang: str = "en") -> str:
        """The message in `lang` (en or zh); messages without a code are English only."""
        if self.code is None or lang != "zh":
            return str(self)
        message = render(self.code, lang, self._params(lang))
        return f"{self.where}：{message}" if self.where else message


@dataclass(frozen=True)
class Layer:
    activation: str
    weights: tuple[tuple[float, ...], ...]
    bias: Bias = None

    @property
    def size(self) -> int:
        return len(self.weights)

    @property
    def bias_mode(self) -> str:
        if self.bias is None:
            return "none"
        return "shared" if isinstance(self.bias, float) else "per_neuron"

    def bias_of(self, neuron: int) -> float:
        """The bias added to neuron `neuron` (0-based); 0 without a bias."""
        if self.bias is None:
            return 0.0
        return self.bias if isinstance(self.bias, float) else self.bias[neuron]


@dataclass(frozen=True)
class Sample:
    x: tuple[float, ...]
    target: tuple[float, ...]


@dataclass(frozen=True)
class Network:
    """A validated config. Immutable: edits make a new Network (`with_parameters`, `replace`)."""

    layers: tuple[Layer, ...]
    samples: tuple[Sample, ...]
    loss: str = "half_squared_error"
    reduction: str = "mean"
    learning_rate: float = 0.1
    round_to: int | None = None
    update_order: str = "after_all_gradients"
    title: str = ""
    notation: dict = field(default_factory=dict, compare=False, hash=False)
    meta: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def inputs(self) -> int:
        return len(self.layers[0].weights[0])

    @property
    def sizes(self) -> tuple[int, ...]:
        return (self.inputs, *(layer.size for layer in self.layers))

    def with_parameters(self, parameters: list[dict]) -> Network:
        """The same network with new weights and biases (a list per layer of {"weights", "bias"})."""
        layers = tuple(
            Layer(layer.activation, tuple(tuple(float(w) for w in row) for row in p["weights"]),
                  _bias_tuple(p.get("bias")))
            for layer, p in zip(self.layers, parameters, strict=True)
        )
        return replace(self, layers=layers)

    def parameters(self) -> list[dict]:
        return [{"weights": [list(r) for r in layer.weights], "bias": _bias_json(layer.bias)} for layer in self.layers]

    def to_config(self) -> dict:
        """The engine's JSON config for this network (round-trips through parse_config)."""
        out: dict[str, Any] = {"title": self.title} if self.title else {}
        out["layers"] = [
            {"activation": layer.activation, "weights": [list(r) for r in layer.weights], "bias": _bias_json(layer.bias)}
            for layer in self.layers
        ]
        out.update(loss=self.loss, reduction=self.reduction, learning_rate=self.learning_rate,
                   samples=[{"x": list(s.x), "target": list(s.target)} for s in self.samples],
                   round_to=self.round_to, update_order=self.update_order)
        if self.notation:
            out["notation"] = self.notation
        out.update({k: v for k, v in self.meta.items() if k in META_KEYS})
        return out


def _bias_tuple(bias: Any) -> Bias:
    if bias is None:
        return None
    if isinstance(bias, (list, tuple)):
        return tuple(float(b) for b in bias)
    return float(bias)


def _bias_json(bias: Bias) -> None | float | list[float]:
    return list(bias) if isinstance(bias, tuple) else bias


def number(value: Any, where: str, *, positive: bool = False) -> float:
    """A finite JSON number within the limits, or a ConfigError naming `where`."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(where, code="not_number", value=value)
    if isinstance(value, int) and abs(value) > MAX_ABS:  # NOTE: float(10**400) raises OverflowError
        raise ConfigError(where, code="beyond_limit", got=value, limit=f"{MAX_ABS:g}")
    v = float(value)
    if math.isnan(v):
        raise ConfigError(where, code="not_finite", got=value)
    if abs(v) > MAX_ABS:
        raise ConfigError(where, code="beyond_limit", got=value, limit=f"{MAX_ABS:g}")
    if positive and v <= 0:
        raise ConfigError(where, code="not_positive", got=value)
    return v


def _vector(value: Any, where: str, length: int | None, what: str) -> tuple[float, ...]:
    if not isinstance(value, list):
        raise ConfigError(where, code="not_list", value=value)
    if not value:
        raise ConfigError(where, code="empty")
    if length is not None and len(value) != length:
        raise ConfigError(where, code="wrong_length", n=length, what=what if length == 1 else what + "s",
                          what_zh=NOUNS.get(what, what), got=len(value))
    return tuple(number(v, f"{where}[{i}]") for i, v in enumerate(value))


def _name(value: Any, where: str, table: dict, aliases: dict) -> str:
    if not isinstance(value, str):
        raise ConfigError(where, code="not_name", value=value)
    if len(value) > MAX_TITLE_CHARS:
        raise ConfigError(where, code="too_long", n=len(value), limit=MAX_TITLE_CHARS)
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    key = aliases.get(key, key)
    if key not in table:
        close = difflib.get_close_matches(key, table, n=1)
        raise ConfigError(where, code="unknown_name", got=value, close=close[0] if close else None,
                          choices=", ".join(table))
    return key


def _choice(value: Any, where: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ConfigError(where, code="not_choice", choices=", ".join(choices), value=value)
    return value


def _unknown_keys(obj: dict, known: tuple[str, ...], where: str) -> None:
    for key in obj:
        if key not in known:
            prefix = f"{where}." if where else ""
            name = str(key)[:MAX_TITLE_CHARS] if isinstance(key, str) else repr(key)[:MAX_TITLE_CHARS]
            close = difflib.get_close_matches(name, known, n=1)
            raise ConfigError(f"{prefix}{shown_key(key)}", code="unknown_key", close=close[0] if close else None,
                              choices=", ".join(known))


def _layer(raw: Any, i: int, previous: int, last: bool) -> Layer:
    where = f"layers[{i}]"
    if not isinstance(raw, dict):
        raise ConfigError(where, code="layer_not_object", value=raw)
    _unknown_keys(raw, LAYER_KEYS, where)
    activation = _name(raw.get("activation", "identity"), f"{where}.activation", ACTIVATIONS, ACTIVATION_ALIASES)
    if activation == "softmax" and not last:
        raise ConfigError(f"{where}.activation", code="softmax_not_last")
    if "weights" not in raw:
        raise ConfigError(f"{where}.weights", code="missing")
    rows = raw["weights"]
    wp = f"{where}.weights"
    if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
        raise ConfigError(wp, code="not_rows", value=rows)
    if len(rows) > MAX_NEURONS:
        raise ConfigError(wp, code="too_many_neurons", n=len(rows), limit=MAX_NEURONS)
    widths = {len(r) for r in rows}
    expected = previous if previous else None
    if expected is None and len(widths) != 1:
        raise ConfigError(wp, code="ragged_rows")
    width = expected if expected is not None else widths.pop()
    if width == 0:
        raise ConfigError(wp, code="empty_rows")
    if width > MAX_NEURONS:
        raise ConfigError(wp, code="too_many_inputs", n=width, limit=MAX_NEURONS)
    bad = [r for r in rows if len(r) != width]
    if bad:
        n = len(rows)
        raise ConfigError(wp, code="wrong_shape", rows=n, rows_s="" if n == 1 else "s", cols=width,
                          cols_s="" if width == 1 else "s", got_rows=n, got_rows_s="" if n == 1 else "s",
                          got_cols="/".join(str(len(r)) for r in rows))
    weights = tuple(tuple(number(w, f"{wp}[{j}][{k}]") for k, w in enumerate(r)) for j, r in enumerate(rows))
    bias_raw = raw.get("bias")
    bias: Bias
    if bias_raw is None:
        bias = None
    elif isinstance(bias_raw, list):
        bias = _vector(bias_raw, f"{where}.bias", len(rows), "bias")
    else:
        bias = number(bias_raw, f"{where}.bias")
    return Layer(activation, weights, bias)


def parse_config(raw: Any) -> Network:
    """Validate a config object (parsed JSON) into a Network; raise ConfigError naming the first bad field."""
    if not isinstance(raw, dict):
        raise ConfigError("config", code="not_config_object", value=raw)
    _unknown_keys(raw, KNOWN_KEYS, "")
    layers_raw = raw.get("layers")
    if not isinstance(layers_raw, list) or not layers_raw:
        raise ConfigError("layers", code="no_layers")
    if len(layers_raw) > MAX_LAYERS:
        raise ConfigError("layers", code="too_many_layers", n=len(layers_raw), limit=MAX_LAYERS)
    layers: list[Layer] = []
    for i, lr in enumerate(layers_raw):
        previous = layers[-1].size if layers else 0
        layers.append(_layer(lr, i, previous, i == len(layers_raw) - 1))
    n_in, n_out = len(layers[0].weights[0]), layers[-1].size

    loss = _name(raw.get("loss", "half_squared_error"), "loss", LOSSES, LOSS_ALIASES)
    needs = LOSSES[loss].output_activation
    if needs and layers[-1].activation != needs:
        raise ConfigError("loss", code="loss_needs_output", loss=loss, needs=needs, last=layers[-1].activation)
    reduction = _choice(raw.get("reduction", "mean"), "reduction", REDUCTIONS)
    if "learning_rate" not in raw:
        raise ConfigError("learning_rate", code="missing")
    learning_rate = number(raw["learning_rate"], "learning_rate", positive=True)
    round_to = raw.get("round_to")
    if round_to is not None and (isinstance(round_to, bool) or not isinstance(round_to, int)
                                 or not 0 <= round_to <= MAX_ROUND_TO):
        raise ConfigError("round_to", code="bad_round_to", limit=MAX_ROUND_TO, value=round_to)
    update_order = _choice(raw.get("update_order", "after_all_gradients"), "update_order", UPDATE_ORDERS)

    samples_raw = raw.get("samples")
    if not isinstance(samples_raw, list) or not samples_raw:
        raise ConfigError("samples", code="no_samples")
    if len(samples_raw) > MAX_SAMPLES:
        raise ConfigError("samples", code="too_many_samples", n=len(samples_raw), limit=MAX_SAMPLES)
    samples = []
    for s, sr in enumerate(samples_raw):
        where = f"samples[{s}]"
        if not isinstance(sr, dict):
            raise ConfigError(where, code="sample_not_object", value=sr)
        _unknown_keys(sr, SAMPLE_KEYS, where)
        for key in SAMPLE_KEYS:
            if key not in sr:
                raise ConfigError(f"{where}.{key}", code="missing")
        x = _vector(sr["x"], f"{where}.x", n_in, "input")
        t = _vector(sr["target"], f"{where}.target", n_out, "target")
        if loss in ("binary_cross_entropy", "cross_entropy") and any(not 0 <= v <= 1 for v in t):
            raise ConfigError(f"{where}.target", code="targets_not_probabilities", loss=loss)
        samples.append(Sample(x, t))

    title = text(raw.get("title", ""), "title", MAX_TITLE_CHARS)
    notation = raw.get("notation")
    notation = {} if notation is None else parse_notation(notation, [len(layers[0].weights[0]),
                                                                      *(layer.size for layer in layers)])
    meta = _meta(raw)
    return Network(tuple(layers), tuple(samples), loss, reduction, learning_rate, round_to, update_order,
                   title, notation, meta)


def parse_config_text(text: str, name: str = "config") -> Network:
    """Parse JSON text (a file's contents, an upload) into a Network."""
    return parse_config(load_json(text, name))


def load_config(path: str | Path) -> Network:
    """Read and validate a config file."""
    return parse_config_text(read_file(path), Path(path).name)


# --- text: valid, bounded, shown safely ------------------------------------------------------------------

# lone surrogates, control characters (but tab and newline where allowed) and the bidi overrides that reorder text
_BAD_CHAR = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
_BAD_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
_CHAR_KINDS = (("\ud800", "\udfff", "a lone surrogate (not valid Unicode)", "孤立的代理码位（不是有效的 Unicode）"),
               ("\u202a", "\u2069", "a bidirectional control character", "双向文字控制字符"))


def bad_char(value: str, multiline: bool = False) -> tuple[str, str] | None:
    """What is wrong with the characters of `value` (en, zh), or None."""
    m = (_BAD_CHAR if multiline else _BAD_IN_LINE).search(value)
    if m is None:
        return None
    ch = m.group(0)
    for low, high, en, zh in _CHAR_KINDS:
        if low <= ch <= high:
            return f"{en} at character {m.start() + 1}", f"第 {m.start() + 1} 个字符是{zh}"
    return (f"a control character {ch!r} at character {m.start() + 1}",
            f"第 {m.start() + 1} 个字符是控制字符 {ch!r}")


def text(value: Any, where: str, limit: int, *, multiline: bool = False) -> str:
    """A string from the config: valid Unicode, no control characters, at most `limit` characters."""
    if not isinstance(value, str):
        raise ConfigError(where, code="not_text", value=value)
    if len(value) > limit:
        raise ConfigError(where, code="too_long", n=len(value), limit=limit)
    problem = bad_char(value, multiline)
    if problem:
        raise ConfigError(where, code="bad_char", what=problem[0], what_zh=problem[1])
    return value


# --- notation: every key of the right type and shape, every symbol through the steps' allowlist ------------

NOTATION_CHOICES = {"matrix_convention": ("Wx", "xW"), "difference": ("target_minus_output", "output_minus_target")}
# a single symbol or template: the marks it must contain (`@` the symbol, `#` the sample number)
NOTATION_TEMPLATES = {"loss": "", "learning_rate": "", "sample_loss": "", "updated": "@", "old": "@",
                      "delta": "@", "sample": "@#"}
NOTATION_LISTS = ("inputs", "targets", "neurons", "pre_activations", "weights", "biases", "matrices")
NOTATION_KEYS = (*NOTATION_LISTS, *NOTATION_TEMPLATES, *NOTATION_CHOICES)


def _symbol(value: Any, where: str, marks: str = "", *, empty: bool = False) -> str:
    if not isinstance(value, str):
        raise ConfigError(where, code="not_symbol", value=value)
    if len(value) > MAX_SYMBOL_CHARS:
        raise ConfigError(where, code="too_long", n=len(value), limit=MAX_SYMBOL_CHARS)
    if not value and empty:
        return value
    if not value or any(mark not in value for mark in marks):
        raise ConfigError(where, code="needs_marks" if marks else "not_symbol",
                          marks=" and ".join(marks), marks_zh=" 和 ".join(marks), value=value)
    filled = value.replace("@", "x").replace("#", "1") if marks or "@" in value else value
    problems = symbol_problems(filled)
    if problems:
        raise ConfigError(where, code="bad_symbol", got=value, problem=problems[0])
    return value


def _symbols(value: Any, where: str, n: int, what: str, depth: int) -> Any:
    """A list of n entries: symbols (depth 0), or lists of lists (depth > 0); null or "" leaves the standard one."""
    if value is None:
        return None
    if depth == 0 and isinstance(value, str):
        return _symbol(value, where) if value else value
    if not isinstance(value, list) or len(value) != n:
        raise ConfigError(where, code="not_symbol_list", n=n, what=what, what_zh=_NOTATION_NOUNS.get(what, what),
                          value=value)
    return value


_NOTATION_NOUNS = {"symbols": "符号", "layers": "层", "rows": "行", "neurons": "神经元"}


def parse_notation(raw: Any, sizes: list[int]) -> dict:
    """The notation of a network with layer sizes `sizes` (inputs first), checked key by key."""
    if not isinstance(raw, dict):
        raise ConfigError("notation", code="not_object", value=raw)
    _unknown_keys(raw, NOTATION_KEYS, "notation")
    layers = len(sizes) - 1
    for key, value in raw.items():
        where = f"notation.{key}"
        if key in NOTATION_CHOICES:
            _choice(value, where, NOTATION_CHOICES[key])
        elif key in NOTATION_TEMPLATES:
            _symbol(value, where, NOTATION_TEMPLATES[key], empty=key == "delta")
        elif key in ("inputs", "targets"):
            n = sizes[0] if key == "inputs" else sizes[-1]
            for k, entry in enumerate(_symbols(value, where, n, "symbols", 1) or ()):
                if entry:
                    _symbol(entry, f"{where}[{k}]")
        else:  # per layer
            for li, per_layer in enumerate(_symbols(value, where, layers, "layers", 1) or ()):
                lw = f"{where}[{li}]"
                size, width = sizes[li + 1], sizes[li]
                if key in ("biases", "matrices") and isinstance(per_layer, str):  # one symbol for the layer
                    if per_layer:
                        _symbol(per_layer, lw)
                    continue
                what = "rows" if key == "weights" else "symbols"
                for j, entry in enumerate(_symbols(per_layer, lw, size, what, 1) or ()):
                    if key == "weights":
                        for k, w in enumerate(_symbols(entry, f"{lw}[{j}]", width, "symbols", 1) or ()):
                            if w:
                                _symbol(w, f"{lw}[{j}][{k}]")
                    elif entry:
                        _symbol(entry, f"{lw}[{j}]")
    return dict(raw)


# --- preset metadata -----------------------------------------------------------------------------------

def _object(value: Any, where: str, keys: tuple[str, ...]) -> dict:
    if not isinstance(value, dict):
        raise ConfigError(where, code="not_object", value=value)
    _unknown_keys(value, keys, where)
    return value


def _items(value: Any, where: str) -> list:
    if not isinstance(value, list):
        raise ConfigError(where, code="not_list", value=value)
    if len(value) > MAX_META_ITEMS:
        raise ConfigError(where, code="too_many_items", n=len(value), limit=MAX_META_ITEMS)
    return value


def _bilingual(value: Any, where: str) -> None:
    """A description: text, or {"en": text, "zh": text}."""
    if isinstance(value, dict):
        for lang, t in _object(value, where, ("en", "zh")).items():
            text(t, f"{where}.{lang}", MAX_TEXT_CHARS, multiline=True)
    else:
        text(value, where, MAX_TEXT_CHARS, multiline=True)


def _step_id(value: Any, where: str) -> str:
    from .trace import parse_step_id  # NOTE: trace imports this module

    text(value, where, MAX_TITLE_CHARS)
    if parse_step_id(value.removeprefix("check.")) is None:
        raise ConfigError(where, code="bad_step_id", got=value)
    return value


def _printed(value: Any, where: str) -> None:
    for i, entry in enumerate(_items(value, where)):
        ew = f"{where}[{i}]"
        _object(entry, ew, ("step", "text", "where", "slip"))
        for key in ("step", "text"):
            if key not in entry:
                raise ConfigError(f"{ew}.{key}", code="missing")
        _step_id(entry["step"], f"{ew}.step")
        written = text(entry["text"], f"{ew}.text", MAX_NUMBER_CHARS)
        try:
            parse_number(written)
        except ValueError:
            raise ConfigError(f"{ew}.text", code="not_number", value=written) from None
        if "where" in entry:
            text(entry["where"], f"{ew}.where", MAX_TEXT_CHARS, multiline=True)
        if "slip" in entry:
            slip = _object(entry["slip"], f"{ew}.slip", ("mistake", "comment", "carried_from"))
            if slip.get("mistake") is not None:
                text(slip["mistake"], f"{ew}.slip.mistake", MAX_TITLE_CHARS)
            if "comment" in slip:
                text(slip["comment"], f"{ew}.slip.comment", MAX_TEXT_CHARS, multiline=True)
            for k, step in enumerate(_items(slip.get("carried_from", []), f"{ew}.slip.carried_from")):
                _step_id(step, f"{ew}.slip.carried_from[{k}]")


def _meta(raw: dict) -> dict:
    meta = {k: raw[k] for k in META_KEYS if k in raw}
    if "id" in meta:
        text(meta["id"], "id", MAX_ID_CHARS)
    if meta.get("source") is not None:
        text(meta["source"], "source", MAX_TITLE_CHARS)
    if "title_zh" in meta:
        text(meta["title_zh"], "title_zh", MAX_TITLE_CHARS)
    if "description" in meta:
        _bilingual(meta["description"], "description")
    if "printed" in meta:
        _printed(meta["printed"], "printed")
    for i, exp in enumerate(_items(meta.get("experiments", []), "experiments")):
        ew = f"experiments[{i}]"
        _object(exp, ew, ("description", "set", "printed"))
        if "description" in exp:
            _bilingual(exp["description"], f"{ew}.description")
        given = exp.get("set", {})
        if not isinstance(given, dict):
            raise ConfigError(f"{ew}.set", code="not_object", value=given)
        for key, v in given.items():
            _step_id(key, f"{ew}.set")
            number(v, f"{ew}.set[{shown_key(key)}]")
        if "printed" in exp:
            _printed(exp["printed"], f"{ew}.printed")
    for i, typo in enumerate(_items(meta.get("typos", []), "typos")):
        for key, t in _object(typo, f"typos[{i}]", ("where", "what")).items():
            text(t, f"typos[{i}].{key}", MAX_TEXT_CHARS, multiline=True)
    if "exercise" in meta:  # a generated exercise: {"template": id or null, "seed": 0..2**32-1, "version": n}
        exercise = _object(meta["exercise"], "exercise", ("template", "seed", "version"))
        if exercise.get("template") is not None:
            text(exercise["template"], "exercise.template", MAX_ID_CHARS)
        for key, top in (("seed", 2**32 - 1), ("version", 10**6)):
            v = exercise.get(key)
            if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= top:
                raise ConfigError(f"exercise.{key}", code="bad_seed", limit=top, value=v)  # a whole number 0..top
    return meta


# --- JSON and files --------------------------------------------------------------------------------------

class _BadJSON(ValueError):
    """Raised inside json.loads by the hooks below: a ConfigError code and its parameters."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code, self.params = code, params


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _BadJSON("duplicate_key", key=shown(key))
        out[key] = value
    return out


def _integer(digits: str) -> int:
    n = len(digits.lstrip("-"))
    if n > MAX_INT_DIGITS:
        raise _BadJSON("too_many_digits", n=n, limit=MAX_INT_DIGITS)
    return int(digits)


def load_json(text: str, name: str = "config", **hooks: Any) -> Any:
    """JSON text -> Python, within the limits: at most MAX_FILE_BYTES characters, no key twice in one object,
    integers of at most MAX_INT_DIGITS digits, not nested too deeply; a ConfigError naming `name` otherwise."""
    if len(text) > MAX_FILE_BYTES:
        raise ConfigError(name, code="too_large", n=len(text), limit=MAX_FILE_BYTES)
    hooks.setdefault("object_pairs_hook", _no_duplicates)
    hooks.setdefault("parse_int", _integer)
    try:
        return json.loads(text, **hooks)
    except json.JSONDecodeError as err:
        raise ConfigError(name, code="bad_json", detail=err.msg, line=err.lineno, column=err.colno) from None
    except _BadJSON as err:
        raise ConfigError(name, code=err.code, **err.params) from None
    except RecursionError:
        raise ConfigError(name, code="too_deep") from None


_FILE_KINDS = ((stat.S_ISDIR, "a directory", "目录"), (stat.S_ISFIFO, "a named pipe", "命名管道"),
               (stat.S_ISCHR, "a character device", "字符设备"), (stat.S_ISBLK, "a block device", "块设备"),
               (stat.S_ISSOCK, "a socket", "套接字"))


def _regular(mode: int, where: str) -> None:
    if not stat.S_ISREG(mode):
        kind = next(((en, zh) for test, en, zh in _FILE_KINDS if test(mode)), ("not a file", "不是文件"))
        raise ConfigError(where, code="not_regular_file", kind=kind[0], kind_zh=kind[1])


def read_file(path: str | Path, limit: int = MAX_FILE_BYTES) -> str:
    """A text file's contents: a regular file (checked before it is opened: never a FIFO, a device or a
    directory) of at most `limit` bytes (checked before reading, and at most limit + 1 bytes are read), UTF-8."""
    where = str(path)

    def attempt(action):
        try:
            return action()
        except FileNotFoundError:
            raise ConfigError(where, code="no_file") from None
        except OSError as err:
            raise ConfigError(where, code="unreadable", detail=err.strerror or type(err).__name__) from None
        except ValueError as err:  # an embedded NUL in the path
            raise ConfigError(where, code="unreadable", detail=str(err)) from None

    _regular(attempt(lambda: os.stat(path)).st_mode, where)
    # NOTE: O_NONBLOCK: should the file be swapped for a FIFO after the check, opening it does not hang
    fd = attempt(lambda: os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)))
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        _regular(st.st_mode, where)
        if st.st_size > limit:
            raise ConfigError(where, code="too_large", n=st.st_size, limit=limit)
        data = attempt(lambda: f.read(limit + 1))
    if len(data) > limit:
        raise ConfigError(where, code="too_large", n=len(data), limit=limit)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(where, code="not_utf8") from None
