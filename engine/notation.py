"""Symbols: the LaTeX a learner writes for every step and given, in the preset's notation or a standard one."""

from __future__ import annotations

from typing import Any

from .config import Network
from .trace import parse_step_id

DEFAULTS = {
    "loss": "E",
    "sample_loss": "E_{@}",
    "learning_rate": r"\eta",
    "updated": "@^{+}",
    "old": "@",
    "delta": "",  # empty: the standard \delta^{(l)}_{j}
    "sample": "@[#]",  # a per-sample value in a batch: a^{(1)}_{1}[2] is sample 2
}


def decorate(symbol: str, template: str, number: int | str | None = None) -> str:
    """Fill a template: `@` is the symbol (braced when it already carries a superscript or prime), `#` a number."""
    inner = symbol
    clash = {"@^": ("^", "'"), "@'": ("^", "'"), "@_": ("_",)}.get(template[:2], ())
    if any(mark in symbol for mark in clash):
        inner = "{" + symbol + "}"  # NOTE: w'_{11}^{+} or W^{1}^{+} would be a double superscript
    out = template.replace("@", inner)
    return out.replace("#", "" if number is None else str(number))


def partial(numerator: str, denominator: str) -> str:
    return rf"\frac{{\partial {numerator}}}{{\partial {denominator}}}"


class Notation:
    """Resolves step and given ids to LaTeX symbols for one network."""

    def __init__(self, network: Network):
        self.network = network
        self.raw: dict[str, Any] = {**DEFAULTS, **(network.notation or {})}
        self.batch = len(network.samples) > 1

    @classmethod
    def of(cls, network: Network) -> Notation:
        return cls(network)

    def _get(self, key: str, *index: int) -> str | None:
        value: Any = self.raw.get(key)
        for i in index:
            if not isinstance(value, list) or i >= len(value) or value[i] is None:
                return None
            value = value[i]
        return value if isinstance(value, str) and value else None

    # the symbols of the network's parts, without any sample marker
    def input(self, k: int) -> str:
        return self._get("inputs", k - 1) or f"x_{{{k}}}"

    def target(self, j: int) -> str:
        if self.network.layers[-1].size == 1 and self._get("targets", 0) and not self._get("targets", 1):
            return self._get("targets", 0)
        return self._get("targets", j - 1) or (f"t_{{{j}}}" if self.network.layers[-1].size > 1 else "t")

    def neuron(self, layer: int, j: int) -> str:
        """The output a of neuron j in `layer` (layer 0: the inputs)."""
        if layer == 0:
            return self.input(j)
        return self._get("neurons", layer - 1, j - 1) or f"a^{{({layer})}}_{{{j}}}"

    def pre_activation(self, layer: int, j: int) -> str:
        return self._get("pre_activations", layer - 1, j - 1) or f"z^{{({layer})}}_{{{j}}}"

    def weight(self, layer: int, j: int, k: int) -> str:
        return self._get("weights", layer - 1, j - 1, k - 1) or f"w^{{({layer})}}_{{{j}{k}}}"

    def matrix(self, layer: int) -> str | None:
        """The note's own name for a layer's weight matrix (`matrices`, e.g. note 002's W^{H}), or None."""
        return self._get("matrices", layer - 1)

    def bias(self, layer: int, j: int | None) -> str:
        raw = self.raw.get("biases")
        entry = raw[layer - 1] if isinstance(raw, list) and layer - 1 < len(raw) else None
        if isinstance(entry, str) and entry:
            return entry
        if isinstance(entry, list) and j is not None and j - 1 < len(entry) and entry[j - 1]:
            return entry[j - 1]
        return f"b^{{({layer})}}" if j is None else f"b^{{({layer})}}_{{{j}}}"

    def delta(self, layer: int, j: int) -> str:
        template = self.raw.get("delta") or ""
        if template:
            return decorate(self.neuron(layer, j), template)
        return rf"\delta^{{({layer})}}_{{{j}}}"

    @property
    def loss(self) -> str:
        return self.raw["loss"]

    @property
    def learning_rate(self) -> str:
        return self.raw["learning_rate"]

    def sample_loss(self, s: int) -> str:
        if not self.batch:
            return self.loss
        return self.raw["sample_loss"].replace("@", str(s))

    def updated(self, symbol: str) -> str:
        return decorate(symbol, self.raw["updated"])

    def old(self, symbol: str) -> str:
        return decorate(symbol, self.raw["old"])

    def per_sample(self, symbol: str, s: int | None) -> str:
        """A per-sample value's symbol: marked with its sample only when the batch has several."""
        if s is None or not self.batch:
            return symbol
        return decorate(symbol, self.raw["sample"], s)

    def error_of(self, s: int | None) -> str:
        """The numerator of a derivative: the sample's loss in a batch, else the loss."""
        return self.loss if s is None else self.sample_loss(s)

    def symbol(self, ident: str) -> str:
        """The LaTeX symbol of a step or given id, e.g. `dE_dw:l2:n1:k1` -> `\\frac{\\partial E}{\\partial w_5}`."""
        p = parse_step_id(ident)
        if p is None:
            raise KeyError(ident)
        q, li, j, k, s, m = p["quantity"], p["layer"], p["neuron"], p["source"], p["sample"], p["wrt"]
        if q == "x":
            return self.per_sample(self.input(j), s)
        if q == "t":
            return self.per_sample(self.target(j), s)
        if q == "w":
            return self.weight(li, j, k)
        if q == "b":
            return self.bias(li, j)
        if q == "eta":
            return self.learning_rate
        if q == "z":
            return self.per_sample(self.pre_activation(li, j), s)
        if q == "a":
            return self.per_sample(self.neuron(li, j), s)
        if q in ("sample_loss", "sample_loss_after"):
            sym = self.sample_loss(s)
            return self.updated(sym) if q == "sample_loss_after" else sym
        if q == "loss":
            return self.loss
        if q == "loss_after":
            return self.updated(self.loss)
        if q == "loss_change":
            return rf"\Delta {self.loss}"
        if q == "dE_da":
            return partial(self.error_of(s if self.batch else None), self.neuron(li, j))
        if q == "da_dz":
            a, z = self.neuron(li, j), self.pre_activation(li, m if m is not None else j)
            if a == z:  # a linear neuron written with one symbol (h_1): d h_1 / d h_1 would read as nonsense
                return f"f'({self.per_sample(a, s)})"
            return partial(self.per_sample(a, s), self.per_sample(z, s))
        if q == "delta":
            return self.per_sample(self.delta(li, j), s)
        if q == "dz_da":
            return partial(self.pre_activation(li, j), self.neuron(li - 1, k))
        if q == "dz_dw":
            return partial(self.per_sample(self.pre_activation(li, j), s), self.weight(li, j, k))
        if q == "dz_db":
            return partial(self.pre_activation(li, j or 1), self.bias(li, j))
        if q == "dE_dw":
            return partial(self.error_of(s), self.weight(li, j, k))
        if q == "dE_db":
            return partial(self.error_of(s), self.bias(li, j))
        if q == "new_w":
            return self.updated(self.weight(li, j, k))
        if q == "new_b":
            return self.updated(self.bias(li, j))
        raise KeyError(ident)
