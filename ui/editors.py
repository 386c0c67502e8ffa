"""The network builder: structure, settings, weight matrices and samples as editable tables.

The editors edit a *draft* (session_state["draft"]): the network's shape and settings, with every number
kept as the text the learner typed. Each run parses the draft (`parse_number`, never eval); a valid draft
becomes the current network, a bad one leaves the last valid network on screen and says what is wrong.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from engine import (
    ACTIVATIONS,
    LOSSES,
    ConfigError,
    Layer,
    Network,
    Sample,
    parse_config,
    parse_config_text,
    parse_number,
)
from engine.config import MAX_FILE_BYTES, MAX_LAYERS, MAX_NEURONS, MAX_ROUND_TO, MAX_SAMPLES
from engine.latex import katex_problems
from engine.notation import Notation
from engine.render import NON_LATEX_NOTATION
from ui import safe, state
from ui.diagram import plain
from ui.i18n import t

NEW_WEIGHT, NEW_BIAS, NEW_INPUT, NEW_TARGET = "0.5", "0", "1", "0"
BIAS_MODES = ("none", "shared", "per_neuron")
ROUNDINGS = ("none", *(str(n) for n in range(MAX_ROUND_TO + 1)))  # NOTE: a selectbox shows None as "no choice"
WIDGET_PREFIX = "ed_"  # structure widgets: forgotten (and so re-read from the draft) when the draft is replaced


class DraftError(ValueError):
    """What is wrong with a draft, as lines for the learner."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


# --- the draft (pure) -------------------------------------------------------------------------------------

def text_of(value: float) -> str:
    """A number as a cell shows it: the shortest text that reads back as the same float."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def draft_from_network(network: Network) -> dict:
    layers = []
    for layer in network.layers:
        bias = [] if layer.bias is None else [text_of(layer.bias)] if layer.bias_mode == "shared" \
            else [text_of(b) for b in layer.bias]
        layers.append({"neurons": layer.size, "activation": layer.activation, "bias_mode": layer.bias_mode,
                       "weights": [[text_of(w) for w in row] for row in layer.weights], "bias": bias})
    return {
        "inputs": network.inputs, "layers": layers, "loss": network.loss, "reduction": network.reduction,
        "learning_rate": text_of(network.learning_rate), "round_to": network.round_to,
        "update_order": network.update_order,
        "samples": [{"x": [text_of(v) for v in s.x], "target": [text_of(v) for v in s.target]}
                    for s in network.samples],
    }


def sizes_of(draft: dict) -> tuple[int, ...]:
    return (draft["inputs"], *(layer["neurons"] for layer in draft["layers"]))


def _fit(cells: list[str], n: int, fill: str) -> list[str]:
    return (list(cells) + [fill] * n)[:n]


def resize(draft: dict) -> None:
    """Make every table fit the draft's shape: keep what fits, fill new cells with simple numbers."""
    previous = draft["inputs"]
    for layer in draft["layers"]:
        n = layer["neurons"]
        layer["weights"] = [_fit(row, previous, NEW_WEIGHT) for row in _fit(layer["weights"], n, [])]
        if layer["bias_mode"] == "none":
            layer["bias"] = []
        elif layer["bias_mode"] == "shared":
            layer["bias"] = _fit(layer["bias"], 1, NEW_BIAS)
        else:
            first = layer["bias"][0] if layer["bias"] else NEW_BIAS
            layer["bias"] = _fit(layer["bias"], n, first)
        previous = n
    outputs = draft["layers"][-1]["neurons"]
    for sample in draft["samples"]:
        sample["x"] = _fit(sample["x"], draft["inputs"], NEW_INPUT)
        sample["target"] = _fit(sample["target"], outputs, NEW_TARGET)


def set_layer_count(draft: dict, count: int) -> None:
    """More layers: new hidden layers go in before the output layer; fewer: hidden layers go first."""
    layers = draft["layers"]
    while len(layers) < count:
        template = layers[-2] if len(layers) > 1 else layers[-1]
        layers.insert(len(layers) - 1, {"neurons": template["neurons"], "activation": template["activation"],
                                        "bias_mode": template["bias_mode"], "weights": [], "bias": []})
    while len(layers) > count:
        layers.pop(len(layers) - 2)
    resize(draft)


def shape_network(draft: dict, base: Network) -> Network:
    """A network of the draft's shape (zeros) for its labels: the base's notation when the shape is the base's."""
    layers, previous = [], draft["inputs"]
    for layer in draft["layers"]:
        n = layer["neurons"]
        bias = None if layer["bias_mode"] == "none" else 0.0 if layer["bias_mode"] == "shared" else (0.0,) * n
        layers.append(Layer(layer["activation"], ((0.0,) * previous,) * n, bias))
        previous = n
    samples = tuple(Sample((0.0,) * draft["inputs"], (0.0,) * previous) for _ in draft["samples"])
    notation = base.notation if sizes_of(draft) == base.sizes else {}
    return Network(tuple(layers), samples, notation=notation)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def labels_of(draft: dict, base: Network) -> Notation:
    """The symbols the editors show (in st.latex and labels): the base's notation when the shape is the base's
    and every symbol passes the same KaTeX check the steps use (engine.render), else the standard notation."""
    network = shape_network(draft, base)
    for key, value in (network.notation or {}).items():
        if key in NON_LATEX_NOTATION:
            continue
        if any(katex_problems(s.replace("@", "x").replace("#", "1")) for s in _strings(value)):
            return Notation.of(shape_network(draft, Network(base.layers, base.samples)))
    return Notation.of(network)


def _layer_name(draft: dict, li: int, lang: str) -> str:
    last = li == len(draft["layers"])
    return t("layer_output" if last else "layer_n", lang, n=li)


def network_from_draft(draft: dict, base: Network, lang: str = "en") -> Network:
    """Parse the draft into a Network (the base itself when nothing differs); DraftError lists every problem."""
    labels = labels_of(draft, base)
    problems: list[str] = []

    def number(text: str, where: str) -> float:
        text = "" if text is None else str(text)
        if not text.strip():
            problems.append(t("err_cell_empty", lang, where=where))
            return 0.0
        try:
            return parse_number(text)
        except ValueError:
            problems.append(t("err_cell_text", lang, where=where, text=text.strip()))
            return 0.0

    layers = []
    for li, layer in enumerate(draft["layers"], 1):
        name = _layer_name(draft, li, lang)
        weights = [[number(cell, t("where_weight", lang, layer=name, symbol=plain(labels.weight(li, j, k))))
                    for k, cell in enumerate(row, 1)] for j, row in enumerate(layer["weights"], 1)]
        if layer["bias_mode"] == "none":
            bias = None
        elif layer["bias_mode"] == "shared":
            bias = number(layer["bias"][0], t("where_bias", lang, layer=name, symbol=plain(labels.bias(li, None))))
        else:
            bias = [number(cell, t("where_bias", lang, layer=name, symbol=plain(labels.bias(li, j))))
                    for j, cell in enumerate(layer["bias"], 1)]
        layers.append({"activation": layer["activation"], "weights": weights, "bias": bias})
    samples = []
    for s, sample in enumerate(draft["samples"], 1):
        x = [number(cell, t("where_sample", lang, n=s, symbol=plain(labels.input(k)))) for k, cell in enumerate(sample["x"], 1)]
        y = [number(cell, t("where_sample", lang, n=s, symbol=plain(labels.target(j))))
             for j, cell in enumerate(sample["target"], 1)]
        samples.append({"x": x, "target": y})
    rate = number(draft["learning_rate"], t("where_lr", lang))
    if problems:
        raise DraftError(problems)
    config = {"title": base.title, "layers": layers, "loss": draft["loss"], "reduction": draft["reduction"],
              "learning_rate": rate, "samples": samples, "round_to": draft["round_to"],
              "update_order": draft["update_order"]}
    if sizes_of(draft) == base.sizes and base.notation:
        config["notation"] = base.notation
    if sizes_of(draft) == base.sizes and isinstance(base.meta.get("id"), str):
        config["id"] = base.meta["id"]  # an edited note keeps the note's order and forms (engine.noteview)
    template = (base.meta.get("exercise") or {}).get("template") if isinstance(base.meta.get("exercise"), dict) else None
    if sizes_of(draft) == base.sizes and isinstance(template, str):
        # so does an edited exercise of a note; its numbers are no longer the seed's, so the config claims no seed
        config["id"] = template
    try:
        network = parse_config(config)
    except ConfigError as err:
        raise DraftError([t("err_config", lang, error=err.text(lang))]) from None
    return base if network == base else network


# --- widgets --------------------------------------------------------------------------------------------

def forget_widgets() -> None:
    """Drop the structure widgets' values so they are drawn again from the draft."""
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(WIDGET_PREFIX)]:
        del st.session_state[key]


def _from_draft(key: str, value) -> str:
    if key not in st.session_state:
        st.session_state[key] = value
    return key


def _restructure(change) -> None:
    """on_change of a structure widget: apply it to the draft, refit the tables, redraw them."""
    draft = st.session_state["draft"]
    change(draft, st.session_state)
    resize(draft)
    st.session_state["editor_version"] += 1
    forget_widgets()


def _set_inputs(draft, ss):
    draft["inputs"] = int(ss["ed_inputs"])


def _set_layers(draft, ss):
    set_layer_count(draft, int(ss["ed_layers"]))
    for layer in draft["layers"][:-1]:
        if layer["activation"] == "softmax":
            layer["activation"] = "sigmoid"


def _set_layer(li: int, field: str, key: str):
    def change(draft, ss):
        value = ss[key]
        draft["layers"][li - 1][field] = int(value) if field == "neurons" else value
    return change


def _set_samples(draft, ss):
    n = int(ss["ed_samples_n"])
    samples = draft["samples"]
    while len(samples) < n:
        samples.append({"x": list(samples[-1]["x"]), "target": list(samples[-1]["target"])})
    del samples[n:]


def _set_round(draft, ss):
    draft["round_to"] = None if ss["ed_round"] == "none" else int(ss["ed_round"])


def _set_setting(field: str, key: str):
    def change(draft, ss):
        draft[field] = ss[key]
    return change


def _cells(frame: pd.DataFrame) -> list[list[str]]:
    out = []
    for row in frame.itertuples(index=False):
        out.append(["" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip() for v in row])
    return out


def _unique(labels: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def _grid(frame: pd.DataFrame, key: str) -> list[list[str]]:
    config = {c: st.column_config.TextColumn(c, width="small") for c in frame.columns}
    edited = st.data_editor(frame, key=key, num_rows="fixed", column_config=config, width="content")
    return _cells(edited)


def grid_key(kind: str, layer: int | None = None) -> str:
    """The data editor's key in this session (it changes when the draft is replaced, so old edits go)."""
    version = st.session_state.get("editor_version", 0)
    return f"grid_{kind}" + (f"_l{layer}" if layer else "") + f"_v{version}"


def _structure(draft: dict, lang: str) -> None:
    cols = st.columns(2)
    cols[0].number_input(t("inputs", lang), 1, MAX_NEURONS, step=1, key=_from_draft("ed_inputs", draft["inputs"]),
                         on_change=_restructure, args=(_set_inputs,))
    cols[1].number_input(t("layers", lang), 1, MAX_LAYERS, step=1,
                         key=_from_draft("ed_layers", len(draft["layers"])), on_change=_restructure, args=(_set_layers,))
    activations = list(ACTIVATIONS)
    for li, layer in enumerate(draft["layers"], 1):
        last = li == len(draft["layers"])
        options = activations if last else [a for a in activations if a != "softmax"]
        c1, c2, c3, c4 = st.columns([1.2, 1, 1.3, 1.3])
        c1.markdown(f"**{_layer_name(draft, li, lang)}**")
        key = f"ed_neurons_l{li}"
        c2.number_input(t("neurons", lang), 1, MAX_NEURONS, step=1, key=_from_draft(key, layer["neurons"]),
                        on_change=_restructure, args=(_set_layer(li, "neurons", key),))
        key = f"ed_act_l{li}"
        c3.selectbox(t("activation", lang), options, key=_from_draft(key, layer["activation"]),
                     on_change=_restructure, args=(_set_layer(li, "activation", key),))
        key = f"ed_bias_l{li}"
        c4.selectbox(t("bias_mode", lang), BIAS_MODES, format_func=lambda m: t(f"bias_{m}", lang),
                     key=_from_draft(key, layer["bias_mode"]), on_change=_restructure,
                     args=(_set_layer(li, "bias_mode", key),))


def _settings(draft: dict, labels: Notation, lang: str) -> None:
    c1, c2, c3 = st.columns(3)
    c1.selectbox(t("loss", lang), list(LOSSES), key=_from_draft("ed_loss", draft["loss"]),
                 on_change=_restructure, args=(_set_setting("loss", "ed_loss"),))
    c2.selectbox(t("reduction", lang), ("mean", "sum"), format_func=lambda r: t(f"reduction_{r}", lang),
                 key=_from_draft("ed_reduction", draft["reduction"]), on_change=_restructure,
                 args=(_set_setting("reduction", "ed_reduction"),))
    draft["learning_rate"] = c3.text_input(t("learning_rate", lang, symbol=plain(labels.learning_rate)),
                                           key=_from_draft("ed_lr", draft["learning_rate"]))
    c1, c2, c3 = st.columns(3)
    c1.selectbox(t("round_to", lang), ROUNDINGS,
                 format_func=lambda n: t("round_none", lang) if n == "none" else t("round_n", lang, n=n),
                 key=_from_draft("ed_round", "none" if draft["round_to"] is None else str(draft["round_to"])),
                 on_change=_restructure, args=(_set_round,))
    c2.selectbox(t("update_order", lang), ("after_all_gradients", "after_each_gradient"),
                 format_func=lambda o: t(f"order_{o}", lang), key=_from_draft("ed_order", draft["update_order"]),
                 on_change=_restructure, args=(_set_setting("update_order", "ed_order"),))
    c3.number_input(t("samples_n", lang), 1, MAX_SAMPLES, step=1, key=_from_draft("ed_samples_n", len(draft["samples"])),
                    on_change=_restructure, args=(_set_samples,))


def _matrix_latex(rows: list[list[str]], biases: list[str] | None = None) -> str:
    """The symbols of a weight matrix, with the biases after a bar when each neuron has its own."""
    if biases:
        rows = [[*row, b] for row, b in zip(rows, biases)]
        spec = "c" * (len(rows[0]) - 1) + "|c"
        body = r" \\ ".join(" & ".join(row) for row in rows)
        return rf"\left(\begin{{array}}{{{spec}}} {body} \end{{array}}\right)"
    body = r" \\ ".join(" & ".join(row) for row in rows)
    return rf"\begin{{pmatrix}} {body} \end{{pmatrix}}"


def _weights(draft: dict, labels: Notation, lang: str) -> None:
    st.caption(t("weights_help", lang))
    for li, layer in enumerate(draft["layers"], 1):
        n_src = len(layer["weights"][0])
        symbols = [[labels.weight(li, j, k) for k in range(1, n_src + 1)] for j in range(1, layer["neurons"] + 1)]
        left, right = st.columns([1, 2], vertical_alignment="center")
        with left:
            st.markdown(f"**{_layer_name(draft, li, lang)}**")
            biases = [labels.bias(li, j) for j in range(1, layer["neurons"] + 1)] \
                if layer["bias_mode"] == "per_neuron" else None
            st.latex(_matrix_latex(symbols, biases))
        with right:
            columns = _unique([plain(labels.neuron(li - 1, k)) for k in range(1, n_src + 1)])
            index = _unique([plain(labels.neuron(li, j)) for j in range(1, layer["neurons"] + 1)])
            rows = [list(row) for row in layer["weights"]]
            if layer["bias_mode"] == "per_neuron":
                bias_column = _unique([*columns, t("bias_col", lang)])[-1]
                frame = pd.DataFrame([[*row, b] for row, b in zip(rows, layer["bias"])], index=index,
                                     columns=[*columns, bias_column], dtype=object)
            else:
                frame = pd.DataFrame(rows, index=index, columns=columns, dtype=object)
            cells = _grid(frame, grid_key("w", li))
            if layer["bias_mode"] == "per_neuron":
                layer["weights"] = [row[:-1] for row in cells]
                layer["bias"] = [row[-1] for row in cells]
            else:
                layer["weights"] = cells
            if layer["bias_mode"] == "shared":
                symbol = plain(labels.bias(li, None))
                layer["bias"] = [st.text_input(t("shared_bias", lang, symbol=symbol),
                                               key=_from_draft(f"ed_bshared_l{li}", layer["bias"][0]))]


def _samples(draft: dict, labels: Notation, lang: str) -> None:
    st.caption(t("samples_help", lang))
    n_in, n_out = draft["inputs"], draft["layers"][-1]["neurons"]
    columns = _unique([plain(labels.input(k)) for k in range(1, n_in + 1)]
                      + [plain(labels.target(j)) for j in range(1, n_out + 1)])
    index = [t("sample_n", lang, n=s) for s in range(1, len(draft["samples"]) + 1)]
    frame = pd.DataFrame([[*s["x"], *s["target"]] for s in draft["samples"]], index=index, columns=columns, dtype=object)
    cells = _grid(frame, grid_key("samples"))
    for sample, row in zip(draft["samples"], cells):
        sample["x"], sample["target"] = row[:n_in], row[n_in:]


def _reset() -> None:
    ss = st.session_state
    try:
        if ss.get("base_source") in ("upload", "exercise"):  # back to the file, or the exercise, as it was
            state.start_from(state.base_network(), ss["base_source"], ss.get("step_id"))
        else:
            state.choose_preset(ss["preset_id"], keep_step=True)
    except state.Unusable as err:  # not expected (the base was shown before): say so, keep what is on screen
        ss["upload_message"] = ("error", err.message)


UPLOAD_LIMIT = MAX_FILE_BYTES  # bytes: the engine's own limit for a config file (1 MB)


def read_upload(upload, lang: str) -> str:
    """The text of an uploaded file: at most UPLOAD_LIMIT bytes, strict UTF-8 (a BOM is allowed).
    ValueError with the reason (Markdown-safe, in `lang`) otherwise."""
    upload.seek(0)
    data = upload.read(UPLOAD_LIMIT + 1)
    if len(data) > UPLOAD_LIMIT:
        raise ValueError(t("upload_too_big", lang, limit=UPLOAD_LIMIT // 1_000_000))
    try:
        return data.decode("utf-8-sig", errors="strict")
    except UnicodeDecodeError as err:
        raise ValueError(t("upload_bad_utf8", lang, byte=f"{data[err.start]:02X}", pos=err.start)) from None


def _opened() -> None:
    ss = st.session_state
    upload = ss.get("upload_config")
    if upload is None:
        return
    lang = state.lang()
    name = safe.plain(upload.name, 120)
    try:
        network = parse_config_text(read_upload(upload, lang), name)
        state.start_from(network, "upload", ss.get("step_id"))
    except ValueError as err:  # read_upload's reasons, and ConfigError (a ValueError)
        error = err.text(lang) if isinstance(err, ConfigError) else err.args[0]
        ss["upload_message"] = ("error", t("upload_bad", lang, name=name, error=error))
        return
    except state.Unusable as err:
        ss["upload_message"] = ("error", t("upload_bad", lang, name=name, error=err.message))
        return
    ss["upload_name"] = name
    ss["upload_message"] = ("success", t("upload_ok", lang, name=name))


def check_draft(lang: str) -> list[str]:
    """Parse the draft; make it the current network when it is valid and can be shown. Returns the problems
    (Markdown-safe lines; empty when the draft is now the current network)."""
    ss = st.session_state
    base = state.base_network()
    try:
        network = network_from_draft(ss["draft"], base, lang)
        state.use_network(network, ss["base_source"] if network is base else "edited")
    except DraftError as err:
        return err.problems
    except state.Unusable as err:
        return [err.message]
    return []


def show(lang: str) -> list[str]:
    """The builder, drawn into the current container; returns the draft's problems (empty when valid)."""
    ss = st.session_state
    draft = ss["draft"]
    base = state.base_network()
    top = st.columns([1, 2])
    top[0].button(t("reset", lang), key="btn_reset", on_click=_reset, icon=":material/restart_alt:")
    top[1].file_uploader(t("upload", lang), type=["json"], key="upload_config", on_change=_opened, max_upload_size=1)
    message = ss.pop("upload_message", None)
    if message:  # (kind, Markdown-safe text) in the language of the upload
        kind, text = message
        (st.success if kind == "success" else st.error)(safe.text(text))
    tab_structure, tab_weights, tab_samples = st.tabs([t("structure", lang), t("weights", lang), t("samples", lang)])
    labels = labels_of(draft, base)
    with tab_structure:
        _structure(draft, lang)
        st.markdown(f"**{t('training', lang)}**")
        _settings(draft, labels, lang)
    with tab_weights:
        _weights(draft, labels, lang)
    with tab_samples:
        _samples(draft, labels, lang)
    problems = check_draft(lang)
    if problems:
        st.error(t("bad_input", lang) + "\n\n" + "\n".join(f"- {p}" for p in problems[:8]),
                 icon=":material/error:")
    return problems
