"""The config file: one network, its data and its settings; validated with messages that name the field."""

from __future__ import annotations

import difflib
import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .functions import ACTIVATION_ALIASES, ACTIVATIONS, LOSS_ALIASES, LOSSES
from .messages import NOUNS, describe, render

MAX_LAYERS = 6
MAX_NEURONS = 10
MAX_SAMPLES = 16
MAX_ABS = 1e6
MAX_ROUND_TO = 12
MAX_FILE_BYTES = 1_000_000

REDUCTIONS = ("mean", "sum")
UPDATE_ORDERS = ("after_all_gradients", "after_each_gradient")
META_KEYS = ("id", "source", "title_zh", "description", "printed", "experiments", "typos")
KNOWN_KEYS = ("title", "layers", "loss", "reduction", "learning_rate", "samples", "round_to", "update_order",
              "notation", *META_KEYS)
LAYER_KEYS = ("activation", "weights", "bias")
SAMPLE_KEYS = ("x", "target")

Bias = None | float | tuple[float, ...]


class ConfigError(ValueError):
    """Bad input; `str(err)` is one line that names the field, e.g. `layers[1].weights: ...`; `err.text("zh")` in Chinese."""

    def __init__(self, where: str, message: str | None = None, *, code: str | None = None, **params: Any):
        self.where, self.code, self.params = where, code, params
        if code is not None:
            message = render(code, "en", self._params("en"))
        self.message = message or ""
        super().__init__(f"{where}: {self.message}" if where else self.message)

    def _params(self, lang: str) -> dict[str, Any]:
        out = dict(self.params)
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
    v = float(value)
    if not math.isfinite(v):
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
            close = difflib.get_close_matches(str(key), known, n=1)
            raise ConfigError(f"{prefix}{key}", code="unknown_key", close=close[0] if close else None,
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

    title = raw.get("title", "")
    if not isinstance(title, str):
        raise ConfigError("title", code="not_text", value=title)
    notation = raw.get("notation") or {}
    if not isinstance(notation, dict):
        raise ConfigError("notation", code="not_object", value=notation)
    meta = {k: raw[k] for k in META_KEYS if k in raw}
    return Network(tuple(layers), tuple(samples), loss, reduction, learning_rate, round_to, update_order,
                   title, notation, meta)


def parse_config_text(text: str, name: str = "config") -> Network:
    """Parse JSON text (a file's contents, an upload) into a Network."""
    if len(text) > MAX_FILE_BYTES:
        raise ConfigError(name, code="too_large", n=len(text), limit=MAX_FILE_BYTES)
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as err:
        raise ConfigError(name, code="bad_json", detail=err.msg, line=err.lineno, column=err.colno) from None
    return parse_config(raw)


def load_config(path: str | Path) -> Network:
    """Read and validate a config file."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise ConfigError(str(path), code="no_file") from None
    except OSError as err:
        raise ConfigError(str(path), code="unreadable", detail=err.strerror) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(str(path), code="not_utf8") from None
    return parse_config_text(text, p.name)
