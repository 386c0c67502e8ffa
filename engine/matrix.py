"""The layer-level matrix view (note 004): forward as matrix products, δ vectors, gradient and updated matrices.

`notation.matrix_convention` chooses how the preset writes a layer: "Wx" (default, column vectors,
z = W a + b, W's row j = the weights into neuron j) or "xW" (note 004's row vectors, h = Φ(x W^1),
W^1_ij = from input i to neuron j: the transpose of the config's layout). In a batch, the samples are
the columns (Wx) or the rows (xW). Every number comes from the trace.
"""

from __future__ import annotations

import sympy as sp

from . import memo
from .latex import Num, Style, tex
from .notation import Notation
from .render import DEFAULT_OPTIONS, RenderOptions
from .trace import Trace, step_id

_ACTIVATION_TEX = {"identity": "", "sigmoid": r"\sigma", "tanh": r"\tanh", "relu": r"\operatorname{ReLU}",
                   "leaky_relu": r"\operatorname{LeakyReLU}", "softmax": r"\operatorname{softmax}"}

_TITLES = {
    "convention": {"en": "Matrix form: {how}", "zh": "矩阵形式：{how}"},
    "Wx": {"en": "z = W a + b with column vectors", "zh": "z = W a + b，列向量"},
    "xW": {"en": "h = Φ(x W) with row vectors, as note 004 writes it", "zh": "h = Φ(x W)，行向量，和笔记 004 的写法一样"},
    "weighted": {"en": "Layer {l}: weighted sums", "zh": "第 {l} 层：加权和"},
    "activation": {"en": "Layer {l}: activations", "zh": "第 {l} 层：激活值"},
    "output_delta": {"en": "Layer {l} (output): δ", "zh": "第 {l} 层（输出层）：δ"},
    "hidden_delta": {"en": "Layer {l}: δ passed back through W", "zh": "第 {l} 层：经过 W 反向传回的 δ"},
    "weight_gradient": {"en": "Layer {l}: gradient of the weights", "zh": "第 {l} 层：权重的梯度"},
    "bias_gradient": {"en": "Layer {l}: gradient of the bias", "zh": "第 {l} 层：偏置的梯度"},
    "weight_update": {"en": "Layer {l}: updated weights", "zh": "第 {l} 层：更新后的权重"},
    "bias_update": {"en": "Layer {l}: updated bias", "zh": "第 {l} 层：更新后的偏置"},
    "columns": {"en": " (one column per sample)", "zh": "（每列一个样本）"},
    "rows": {"en": " (one row per sample)", "zh": "（每行一个样本）"},
}


def _title(key: str, lang: str, **args) -> str:
    return _TITLES[key][lang].format(**args)


def _bmatrix(values: list[list[float]], style: Style, given: bool = False) -> str:
    """A matrix of numbers, printed by SymPy with each entry at the chosen precision."""
    rows, cols = len(values), len(values[0])
    matrix = sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"m{i}_{j}"))
    names = {matrix[i, j]: tex(Num(values[i][j], given), style) for i in range(rows) for j in range(cols)}
    return sp.latex(matrix, mat_str="bmatrix", mat_delim="", symbol_names=names)


def _transpose(values: list[list[float]]) -> list[list[float]]:
    return [list(col) for col in zip(*values)]


class _View:
    def __init__(self, trace: Trace, opts: RenderOptions):
        self.trace = trace
        self.net = trace.network
        self.opts = opts
        self.style = opts.style
        self.nt = Notation.of(self.net)
        self.xw = (self.net.notation or {}).get("matrix_convention") == "xW"
        self.S = len(self.net.samples)
        self.batch = self.S > 1

    # names: W^{(l)} and column vectors a^{(l)} (Wx), or W^{l} and row vectors (xW); capitals for a batch
    def W(self, l: int) -> str:
        named = self.nt.matrix(l)  # the note's own name for the layer's weights (note 002: W^H, W^O)
        if named:
            return named
        return f"W^{{{l}}}" if self.xw else f"W^{{({l})}}"

    def vec(self, letter: str, l: int) -> str:
        sup = f"{l}" if self.xw else f"({l})"
        if letter == "a" and l == 0:
            return "X" if self.batch else r"\mathbf{x}"
        if letter == "delta":
            return rf"\Delta^{{{sup}}}" if self.batch else rf"\boldsymbol{{\delta}}^{{{sup}}}"
        return f"{letter.upper()}^{{{sup}}}" if self.batch else rf"\mathbf{{{letter}}}^{{{sup}}}"

    def T(self, name: str) -> str:
        """A transposed name: the ⊤ joins an existing superscript instead of stacking a second one."""
        if name.endswith("}") and "^{" in name:
            return name[:-1] + r"\top}"
        return name + r"^{\top}"

    def per_sample(self, quantity: str, l: int) -> list[list[float]]:
        """A layer's per-sample values as a matrix: neurons × samples (Wx) or samples × neurons (xW)."""
        size = self.net.sizes[l]
        if quantity in ("x", "a") and l == 0:
            cols = [[self.trace.value(step_id("x", None, k, None, s)) for k in range(1, size + 1)]
                    for s in range(1, self.S + 1)]
        else:
            cols = [[self.trace.value(step_id(quantity, l, j, None, s)) for j in range(1, size + 1)]
                    for s in range(1, self.S + 1)]
        return cols if self.xw else _transpose(cols)

    def weights(self, l: int) -> list[list[float]]:
        W = [list(row) for row in self.net.layers[l - 1].weights]
        return _transpose(W) if self.xw else W

    def bias_matrix(self, l: int) -> list[list[float]] | None:
        layer = self.net.layers[l - 1]
        if layer.bias_mode == "none":
            return None
        per_sample = [[layer.bias_of(j) for j in range(layer.size)] for _ in range(self.S)]
        return per_sample if self.xw else _transpose(per_sample)

    def m(self, values: list[list[float]], given: bool = False) -> str:
        return _bmatrix(values, self.style, given)

    def product(self, left: str, right: str) -> str:
        return f"{right} {left}" if self.xw else f"{left} {right}"

    # --- blocks ------------------------------------------------------------------------------------
    def blocks(self) -> list[tuple[str, str]]:
        lang = self.opts.lang
        L = len(self.net.layers)
        out: list[tuple[str, str]] = []
        suffix = _title("rows" if self.xw else "columns", lang) if self.batch else ""
        how = _title("xW" if self.xw else "Wx", lang)
        for l in range(1, L + 1):
            layer = self.net.layers[l - 1]
            z, a_prev, a = self.vec("z", l), self.vec("a", l - 1), self.vec("a", l)
            symbolic = self.product(self.W(l), a_prev)
            numeric = self.product(self.m(self.weights(l), True), self.m(self.per_sample("a", l - 1), l == 1))
            bias = self.bias_matrix(l)
            if bias is not None:
                b = self.vec("b", l)
                symbolic += f" + {b}"
                numeric += f" + {self.m(bias, True)}"
            line = f"{z} = {symbolic} = {numeric} = {self.m(self.per_sample('z', l))}"
            title = _title("weighted", lang, l=l) + suffix
            if l == 1:
                title = _title("convention", lang, how=how) + " · " + title
            out.append((title, line))
            f = _ACTIVATION_TEX[layer.activation]
            applied = rf"{f}\left({z}\right)" if f else z
            out.append((_title("activation", lang, l=l) + suffix,
                        f"{a} = {applied} = {self.m(self.per_sample('a', l))}"))
        for l in range(L, 0, -1):
            out.extend(self.backward(l, suffix))
        for l in range(1, L + 1):
            out.extend(self.updates(l))
        return out

    def backward(self, l: int, suffix: str) -> list[tuple[str, str]]:
        lang = self.opts.lang
        L = len(self.net.layers)
        layer = self.net.layers[l - 1]
        delta, z, a = self.vec("delta", l), self.vec("z", l), self.vec("a", l)
        f = _ACTIVATION_TEX[layer.activation]
        dE_da = self.m(self.per_sample("dE_da", l))
        deltas = self.m(self.per_sample("delta", l))
        blocks = []
        if layer.activation == "softmax":
            line = rf"{delta} = J^{{\top}} \frac{{\partial E}}{{\partial {a}}} = {deltas}"
        else:
            derivative = (self.m(self.per_sample_derivative(l)))
            slope = rf"{f}'\left({z}\right)" if f else r"\mathbf{1}"
            if l == L:
                head = rf"\frac{{\partial E}}{{\partial {a}}} \odot {slope}"
                line = f"{delta} = {head} = {dE_da} \\odot {derivative} = {deltas}"
            else:
                back = self.product(self.T(self.W(l + 1)), self.vec("delta", l + 1))
                back_numbers = self.product(self.m(_transpose(self.weights(l + 1)), True),
                                            self.m(self.per_sample("delta", l + 1)))
                line = (rf"{delta} = \left({back}\right) \odot {slope} = \left({back_numbers}\right) \odot {derivative}"
                        rf" = {dE_da} \odot {derivative} = {deltas}")
        blocks.append((_title("output_delta" if l == L else "hidden_delta", lang, l=l) + suffix, line))
        # gradients
        mean = self.net.reduction == "mean" and self.batch
        scale = rf"\frac{{1}}{{{self.S}}} " if mean else ""
        a_prev = self.vec("a", l - 1)
        G = [list(row) for row in self.trace.gradients[l - 1]["weights"]]
        if self.xw:
            symbolic = f"{scale}{self.T(a_prev)} {delta}"
            numeric = f"{scale}{self.m(_transpose(self.per_sample('a', l - 1)), l == 1)} {deltas}"
            G = _transpose(G)
        else:
            symbolic = f"{scale}{delta} {self.T(a_prev)}"
            numeric = f"{scale}{deltas} {self.m(_transpose(self.per_sample('a', l - 1)), l == 1)}"
        blocks.append((_title("weight_gradient", lang, l=l),
                       rf"\frac{{\partial E}}{{\partial {self.W(l)}}} = {symbolic} = {numeric} = {self.m(G)}"))
        gb = self.trace.gradients[l - 1]["bias"]
        if gb is not None:
            b = self.vec("b", l) if not self.batch else rf"\mathbf{{b}}^{{{l if self.xw else f'({l})'}}}"
            if isinstance(gb, list):
                values = [gb] if self.xw else [[g] for g in gb]
                blocks.append((_title("bias_gradient", lang, l=l),
                               rf"\frac{{\partial E}}{{\partial {b}}} = {self.m(values)}"))
            else:
                sym = self.nt.bias(l, None)
                total = r"\sum_{s} \sum_{j} \delta_{j}" if self.batch else r"\sum_{j} \delta_{j}"
                blocks.append((_title("bias_gradient", lang, l=l),
                               rf"\frac{{\partial E}}{{\partial {sym}}} = {scale}{total} = {tex(Num(gb), self.style)}"))
        return blocks

    def per_sample_derivative(self, l: int) -> list[list[float]]:
        size = self.net.sizes[l]
        cols = [[self.trace.value(step_id("da_dz", l, j, None, s)) for j in range(1, size + 1)]
                for s in range(1, self.S + 1)]
        return cols if self.xw else _transpose(cols)

    def updates(self, l: int) -> list[tuple[str, str]]:
        lang = self.opts.lang
        eta = self.nt.learning_rate
        rate = tex(Num(self.net.learning_rate, True), self.style)
        new = self.trace.updated[l - 1]
        G = [list(row) for row in self.trace.gradients[l - 1]["weights"]]
        W_new = [list(row) for row in new["weights"]]
        if self.xw:
            G, W_new = _transpose(G), _transpose(W_new)
        W = self.W(l)
        line = (rf"{self.nt.updated(W)} = {W} - {eta} \frac{{\partial E}}{{\partial {W}}} = "
                rf"{self.m(self.weights(l), True)} - {rate} {self.m(G)} = {self.m(W_new)}")
        blocks = [(_title("weight_update", lang, l=l), line)]
        layer = self.net.layers[l - 1]
        gb = self.trace.gradients[l - 1]["bias"]
        if layer.bias_mode == "per_neuron":
            shape = (lambda v: [list(v)]) if self.xw else (lambda v: [[x] for x in v])
            b = rf"\mathbf{{b}}^{{{l if self.xw else f'({l})'}}}"
            blocks.append((_title("bias_update", lang, l=l),
                           rf"{self.nt.updated(b)} = {b} - {eta} \frac{{\partial E}}{{\partial {b}}} = "
                           rf"{self.m(shape(layer.bias), True)} - {rate} {self.m(shape(gb))} = {self.m(shape(new['bias']))}"))
        elif layer.bias_mode == "shared":
            b = self.nt.bias(l, None)
            blocks.append((_title("bias_update", lang, l=l),
                           rf"{self.nt.updated(b)} = {b} - {eta} \frac{{\partial E}}{{\partial {b}}} = "
                           rf"{tex(Num(layer.bias, True), self.style)} - {rate} \times {tex(Num(gb), self.style)} = "
                           rf"{tex(Num(new['bias']), self.style)}"))
        return blocks


_CACHE = memo.ByteLRU("matrix", memo.MATRIX_BUDGET)  # keyed by (memo.ident(trace), options): never keeps a trace


def matrix_view(trace: Trace, opts: RenderOptions = DEFAULT_OPTIONS) -> list[tuple[str, str]]:
    """(title in opts.lang, LaTeX) blocks of the matrix form, cached per trace and options."""
    return list(_CACHE.get_or_make((memo.ident(trace), opts), lambda: tuple(_View(trace, opts).blocks())))
