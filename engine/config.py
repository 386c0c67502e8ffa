"""The config file: one network, its data and its settings; validated with messages that name the field."""

from __future__ import annotations

import difflib
import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .functions import ACTIVATION_ALIASES, ACTIVATIONS, LOSS_ALIASES, LOSSES

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
    """Bad input; `str(err)` is one line that names the field, e.g. `layers[1].weights: ...`."""

    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.message = message


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


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if value is None:
        return "null"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "an object"
    return repr(value)


def number(value: Any, where: str, *, positive: bool = False) -> float:
    """A finite JSON number within the limits, or a ConfigError naming `where`."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(where, f"expected a number, got {_describe(value)}")
    v = float(value)
    if not math.isfinite(v):
        raise ConfigError(where, f"expected a finite number, got {value}")
    if abs(v) > MAX_ABS:
        raise ConfigError(where, f"{value} is beyond the limit of ±{MAX_ABS:g}")
    if positive and v <= 0:
        raise ConfigError(where, f"must be greater than 0, got {value}")
    return v


def _vector(value: Any, where: str, length: int | None, what: str) -> tuple[float, ...]:
    if not isinstance(value, list):
        raise ConfigError(where, f"expected a list of numbers, got {_describe(value)}")
    if not value:
        raise ConfigError(where, "is empty")
    if length is not None and len(value) != length:
        raise ConfigError(where, f"expected {_plural(length, what)}, got {len(value)}")
    return tuple(number(v, f"{where}[{i}]") for i, v in enumerate(value))


def _name(value: Any, where: str, table: dict, aliases: dict) -> str:
    if not isinstance(value, str):
        raise ConfigError(where, f"expected a name, got {_describe(value)}")
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    key = aliases.get(key, key)
    if key not in table:
        close = difflib.get_close_matches(key, table, n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        raise ConfigError(where, f"unknown {value!r}; {hint}expected one of {', '.join(table)}")
    return key


def _choice(value: Any, where: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ConfigError(where, f"expected one of {', '.join(choices)}, got {_describe(value)}")
    return value


def _unknown_keys(obj: dict, known: tuple[str, ...], where: str) -> None:
    for key in obj:
        if key not in known:
            prefix = f"{where}." if where else ""
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            raise ConfigError(f"{prefix}{key}", f"unknown key; {hint}expected one of {', '.join(known)}")


def _layer(raw: Any, i: int, previous: int, last: bool) -> Layer:
    where = f"layers[{i}]"
    if not isinstance(raw, dict):
        raise ConfigError(where, f"expected an object with activation, weights and bias, got {_describe(raw)}")
    _unknown_keys(raw, LAYER_KEYS, where)
    activation = _name(raw.get("activation", "identity"), f"{where}.activation", ACTIVATIONS, ACTIVATION_ALIASES)
    if activation == "softmax" and not last:
        raise ConfigError(f"{where}.activation", "softmax is only allowed on the last layer")
    if "weights" not in raw:
        raise ConfigError(f"{where}.weights", "missing")
    rows = raw["weights"]
    wp = f"{where}.weights"
    if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
        raise ConfigError(wp, f"expected a list of rows (one per neuron, each a list of numbers), got {_describe(rows)}")
    if len(rows) > MAX_NEURONS:
        raise ConfigError(wp, f"{len(rows)} neurons is beyond the limit of {MAX_NEURONS} per layer")
    widths = {len(r) for r in rows}
    expected = previous if previous else None
    if expected is None and len(widths) != 1:
        raise ConfigError(wp, "rows have different lengths")
    width = expected if expected is not None else widths.pop()
    if width == 0:
        raise ConfigError(wp, "rows are empty")
    if width > MAX_NEURONS:
        raise ConfigError(wp, f"{width} inputs is beyond the limit of {MAX_NEURONS}")
    bad = [r for r in rows if len(r) != width]
    if bad:
        got = _plural(len(rows), "row") + " of " + "/".join(str(len(r)) for r in rows)
        raise ConfigError(wp, f"expected {_plural(len(rows), 'row')} of {_plural(width, 'number')}, got {got}")
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
        raise ConfigError("config", f"expected a JSON object, got {_describe(raw)}")
    _unknown_keys(raw, KNOWN_KEYS, "")
    layers_raw = raw.get("layers")
    if not isinstance(layers_raw, list) or not layers_raw:
        raise ConfigError("layers", "expected a list of at least one layer")
    if len(layers_raw) > MAX_LAYERS:
        raise ConfigError("layers", f"{len(layers_raw)} layers is beyond the limit of {MAX_LAYERS}")
    layers: list[Layer] = []
    for i, lr in enumerate(layers_raw):
        previous = layers[-1].size if layers else 0
        layers.append(_layer(lr, i, previous, i == len(layers_raw) - 1))
    n_in, n_out = len(layers[0].weights[0]), layers[-1].size

    loss = _name(raw.get("loss", "half_squared_error"), "loss", LOSSES, LOSS_ALIASES)
    needs = LOSSES[loss].output_activation
    if needs and layers[-1].activation != needs:
        raise ConfigError("loss", f"{loss} needs a {needs} output layer; the last layer is {layers[-1].activation}")
    reduction = _choice(raw.get("reduction", "mean"), "reduction", REDUCTIONS)
    if "learning_rate" not in raw:
        raise ConfigError("learning_rate", "missing")
    learning_rate = number(raw["learning_rate"], "learning_rate", positive=True)
    round_to = raw.get("round_to")
    if round_to is not None and (isinstance(round_to, bool) or not isinstance(round_to, int)
                                 or not 0 <= round_to <= MAX_ROUND_TO):
        raise ConfigError("round_to", f"expected null or a whole number from 0 to {MAX_ROUND_TO}, got {_describe(round_to)}")
    update_order = _choice(raw.get("update_order", "after_all_gradients"), "update_order", UPDATE_ORDERS)

    samples_raw = raw.get("samples")
    if not isinstance(samples_raw, list) or not samples_raw:
        raise ConfigError("samples", "expected a list of at least one sample")
    if len(samples_raw) > MAX_SAMPLES:
        raise ConfigError("samples", f"{len(samples_raw)} samples is beyond the limit of {MAX_SAMPLES}")
    samples = []
    for s, sr in enumerate(samples_raw):
        where = f"samples[{s}]"
        if not isinstance(sr, dict):
            raise ConfigError(where, f"expected an object with x and target, got {_describe(sr)}")
        _unknown_keys(sr, SAMPLE_KEYS, where)
        for key in SAMPLE_KEYS:
            if key not in sr:
                raise ConfigError(f"{where}.{key}", "missing")
        x = _vector(sr["x"], f"{where}.x", n_in, "input")
        t = _vector(sr["target"], f"{where}.target", n_out, "target")
        if loss in ("binary_cross_entropy", "cross_entropy") and any(not 0 <= v <= 1 for v in t):
            raise ConfigError(f"{where}.target", f"{loss} needs targets between 0 and 1")
        samples.append(Sample(x, t))

    title = raw.get("title", "")
    if not isinstance(title, str):
        raise ConfigError("title", f"expected text, got {_describe(title)}")
    notation = raw.get("notation") or {}
    if not isinstance(notation, dict):
        raise ConfigError("notation", f"expected an object, got {_describe(notation)}")
    meta = {k: raw[k] for k in META_KEYS if k in raw}
    return Network(tuple(layers), tuple(samples), loss, reduction, learning_rate, round_to, update_order,
                   title, notation, meta)


def parse_config_text(text: str, name: str = "config") -> Network:
    """Parse JSON text (a file's contents, an upload) into a Network."""
    if len(text) > MAX_FILE_BYTES:
        raise ConfigError(name, f"is {len(text)} bytes, beyond the limit of {MAX_FILE_BYTES}")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as err:
        raise ConfigError(name, f"not valid JSON: {err.msg} at line {err.lineno} column {err.colno}") from None
    return parse_config(raw)


def load_config(path: str | Path) -> Network:
    """Read and validate a config file."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise ConfigError(str(path), "no such file") from None
    except OSError as err:
        raise ConfigError(str(path), f"cannot be read ({err.strerror})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(str(path), "is not UTF-8 text") from None
    return parse_config_text(text, p.name)
