"""The notes' own way through an iteration: their steps, their order, their forms, their slips where they happen.

A note preset has a script (engine/scripts/<preset id>.json): the lines of the note that write a number or
explain one, in the note's order. Each entry is either

    a step the note writes      {"step": "dE_dw:l2:n1:k1", "line": 54, "text": "<the note's line>",
                                 "printed": "1.3125", "latex": "<the note's form, values as [[ids]]>", ...}
    one of the note's own       {"id": "note:share_error", "phase": "backward", "line": 270, "text": "...",
    explanations                 "latex": "...", "caption": {"en": ..., "zh": ...}, "highlight": [ids]}

Optional keys of an entry: `latex` (the note's own form; without it the tutor's line is shown), `caption` and
`callout` ({"en", "zh"}; `"callout": null` leaves out the tutor's remark), `phase`, `own_only` (shown only with the
note's own numbers), `kind` ("slip" or "typo", with
`reason` {"en", "zh"}; "match" and "truncated" are found by comparing `printed` with the value), `value` (an explanation's number, a reference as in `latex`, `-` for its
negative), `experiment`
(values from one of the script's `experiments`, each {"set": {given id: value}}, e.g. a trial-and-error nudge).

Values in `latex` are written `[[ID]]` (the value of step or given ID at the chosen precision), `[[-ID]]`
(its negative), `[[(ID)]]` (in brackets when negative), `[[e0:ID]]` (from experiment 0), `[[d:ID]]` (for a
new_w/new_b step: the change, new − old), and sums of products of these (`[[a*b + c*d]]`, e.g. the two paths of
note 004's Equation A). Nothing else is parsed; a script is ours, never a learner's.

Views
    note   the note's entries only, in the note's order (the default for a note preset)
    full   the note's entries and, inserted where they are first needed, the tutor's other steps, marked added
    trace  every step once, in the engine's order (the command line's default and its contract)

A script applies to a network with the template's shape (a note preset, edited or not, or an exercise made
from one); the note's lines and printed numbers are shown only when the numbers are the note's own.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from . import memo
from .captions import LANGS
from .catalog import load_preset, preset_ids
from .config import Network
from .latex import number
from .numbers import at_place
from .render import RenderedStep, RenderOptions, render_trace
from .trace import Trace, compute_trace, with_givens

VIEWS = ("note", "full", "trace")
KINDS = ("match", "truncated", "slip", "typo")
SCRIPT_DIR = Path(__file__).with_name("scripts")
EXPLAIN = "note"  # the quantity of a view item that is one of the note's own explanations


class ScriptError(ValueError):
    """A script that does not fit its preset (a bug in our data, found by the tests)."""


@dataclass(frozen=True, slots=True)
class NoteLine:
    """What the note writes at one step: its line, the line's text, the number it printed and how that reads."""

    line: int
    text: str
    printed: str | None = None
    kind: str | None = None  # match | truncated | slip | typo (None: the line prints no number)
    reason: dict | None = None  # {"en", "zh"} for a slip or a typo

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "text": self.text, "printed": self.printed, "kind": self.kind,
                "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Item:
    """One step of a view: `id` is unique in the view; `step` is the trace step it shows (None for an
    explanation); `entry` is the script's entry (None for a step the tutor adds)."""

    id: str
    step: str | None
    entry: dict | None
    phase: str

    @property
    def added(self) -> bool:
        return self.entry is None


@functools.cache
def load_script(preset_id: str) -> dict | None:
    """The script of a note preset, or None."""
    path = SCRIPT_DIR / f"{preset_id}.json"
    if preset_id not in preset_ids() or not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _template_id(network: Network) -> tuple[str | None, bool]:
    """(the preset whose script may apply, whether the network could have the note's own numbers)."""
    meta = network.meta or {}
    exercise = meta.get("exercise")
    if isinstance(exercise, dict) and isinstance(exercise.get("template"), str):
        return exercise["template"], False
    pid = meta.get("id")
    return (pid, True) if isinstance(pid, str) else (None, False)


def _shape(network: Network) -> tuple:
    return (network.sizes, tuple((layer.activation, layer.bias_mode) for layer in network.layers), network.loss,
            network.reduction, len(network.samples), network.round_to, network.update_order)


def script_of(network: Network) -> tuple[dict, bool] | None:
    """(the script that applies, whether the numbers are the note's own), or None (no note view)."""
    pid, maybe_own = _template_id(network)
    if pid is None:
        return None
    script = load_script(pid)
    if script is None:
        return None
    preset = load_preset(pid)
    if _shape(network) != _shape(preset):
        return None
    own = maybe_own and (network.layers, network.samples, network.learning_rate) == \
        (preset.layers, preset.samples, preset.learning_rate)
    return script, own


def default_view(network: Network) -> str:
    """`note` for a network a note's script applies to, else `full`."""
    return "note" if script_of(network) is not None else "full"


def has_note_view(network: Network) -> bool:
    return script_of(network) is not None


# --- building a view -------------------------------------------------------------------------------------

def _note_items(trace: Trace, script: dict, own: bool) -> list[Item]:
    items: list[Item] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(script["items"]):
        if entry.get("own_only") and not own:  # e.g. where the note's own numbers came from
            continue
        step = entry.get("step")
        if step is not None:
            if not trace.is_step(step):
                raise ScriptError(f"items[{i}].step: {step!r} is no step of this network")
            n = seen[step] = seen.get(step, 0) + 1
            ident = step if n == 1 else f"{step}#{n}"
            phase = entry.get("phase") or trace.step(step).phase
        else:
            ident = entry.get("id", "")
            if not ident.startswith("note:") or ident in seen:
                raise ScriptError(f"items[{i}].id: an explanation needs a new id starting 'note:', got {ident!r}")
            seen[ident] = 1
            phase = entry.get("phase", "forward")
        items.append(Item(ident, step, entry, phase))
    return items


def _closure(trace: Trace, ident: str, memo_: dict[str, frozenset[str]]) -> frozenset[str]:
    """Every step `ident` is computed from, however indirectly."""
    if ident in memo_:
        return memo_[ident]
    out: set[str] = set()
    stack = [i for i in trace.step(ident).operand_ids() if trace.is_step(i)]
    while stack:
        i = stack.pop()
        if i in out:
            continue
        out.add(i)
        stack.extend(j for j in trace.step(i).operand_ids() if trace.is_step(j) and j not in out)
    memo_[ident] = frozenset(out)
    return memo_[ident]


def _slots(trace: Trace, written: list[str | None], every: bool = False,
           uses: list[tuple[str, ...]] | None = None) -> dict[str, int]:
    """For each trace step not in `written` (the steps of a view's items, in order; None for an explanation),
    or each step at all with `every`: the index of the first item that needs it, else one past the last item
    that comes before it in the engine's order. A step the view leaves out is placed, and known, there."""
    closures: dict[str, frozenset[str]] = {}

    def needs_of(i: int, w: str | None) -> frozenset[str]:
        if w:
            return _closure(trace, w, closures)
        used = [u for u in (uses[i] if uses else ()) if trace.is_step(u)]  # an explanation: what it lights up
        return frozenset(used).union(*(_closure(trace, u, closures) for u in used))

    needs = [needs_of(i, w) for i, w in enumerate(written)]
    shown = set() if every else {w for w in written if w}
    out: dict[str, int] = {}
    for st in trace.steps:
        if st.id in shown:
            continue
        slot = next((i for i, need in enumerate(needs) if st.id in need), None)
        if slot is None:  # after the last item before it, and after the note's explanations that follow that item
            pos = trace.position(st.id)
            before = [i for i, w in enumerate(written) if w and trace.position(w) < pos]
            slot = before[-1] + 1 if before else 0
            while slot < len(written) and written[slot] is None:
                slot += 1
        out[st.id] = slot
    return out


def _full_items(trace: Trace, notes: list[Item]) -> list[Item]:
    """The note's items and the tutor's other steps, each placed just before the first item that needs it,
    else after the last item that comes before it in the engine's order."""
    slots: dict[int, list[Item]] = {}
    uses = [tuple(it.entry.get("highlight", ())) if it.entry and not it.step else () for it in notes]
    for ident, slot in _slots(trace, [it.step for it in notes], uses=uses).items():
        st = trace.step(ident)
        slots.setdefault(slot, []).append(Item(st.id, st.id, None, st.phase))
    out: list[Item] = []
    for i in range(len(notes) + 1):
        out.extend(slots.get(i, ()))
        if i < len(notes):
            out.append(notes[i])
    return out


def known_from(trace: Trace, steps: list[ViewStep]) -> dict[str, int]:
    """For each trace step a view leaves out, or writes only later than it is known (note 000 writes E again
    at its end): the position from which its value is known. A step the view writes: the item that first
    needs it, else the one after the last item before it in the engine's order. A step it leaves out: as
    soon as everything it is computed from is known (note 000's h = z), or that, whichever is first."""
    written = [v.step for v in steps]
    first: dict[str, int] = {}
    for i, w in enumerate(written):
        if w:
            first.setdefault(w, i)
    if all(first.get(st.id) == i for i, st in enumerate(trace.steps)) and len(first) == len(trace):
        return {}  # the engine's own order: every value is known where it is written
    last = len(steps) - 1
    uses = [v.rendered.path_ids if not v.step else () for v in steps]
    slots = _slots(trace, written, every=True, uses=uses)
    # NOTE: a value the view writes is known where it is written, or earlier where a written step needs it (note
    # 000 writes ∂E/∂w₅ = (y − t)·h₁ before y − t); not where an explanation only lights it up (note 002's first
    # item, the network's structure).
    closures: dict[str, frozenset[str]] = {}
    needed: dict[str, int] = {}
    for i, w in enumerate(written):
        if w:
            for dep in _closure(trace, w, closures):
                needed.setdefault(dep, i)
    known: dict[str, int] = {}  # a step the view leaves out is known once what it is computed from is (h = z, linear)
    for st in trace.steps:
        ready = max((known[o] for o in st.operand_ids() if o in known), default=0)
        if st.id in first:  # as written, or as its twin (a batch of one: E is the sample's E) if that comes first
            twin = known.get(st.same_as, last) if st.same_as else last
            known[st.id] = min(first[st.id], needed.get(st.id, last), twin, last)
        else:
            known[st.id] = min(slots[st.id], ready, last)
    out = {}
    for ident, at in known.items():
        if ident not in first or at < first[ident]:
            out[ident] = at
    return out


_ITEMS = memo.ByteLRU("noteview.items", memo.NOTEVIEW_BUDGET // 4, sizeof=lambda items: 200 * len(items) + 256)


def view_items(trace: Trace, view: str) -> list[Item]:
    """The items of a view of the trace (`note` falls back to `full` when no script applies)."""
    if view not in VIEWS:
        raise ValueError(f"view: expected one of {', '.join(VIEWS)}, got {view!r}")

    def make() -> tuple[Item, ...]:
        found = script_of(trace.network)
        if view == "trace" or found is None:
            return tuple(Item(st.id, st.id, None, st.phase) for st in trace.steps)
        notes = _note_items(trace, *found)
        return tuple(notes if view == "note" else _full_items(trace, notes))

    return list(_ITEMS.get_or_make((memo.ident(trace), view), make))


@dataclass(frozen=True, slots=True)
class ViewIndex:
    """The ids of a view's items, in order, and each one's position."""

    ids: tuple[str, ...]
    positions: Mapping[str, int]

    def __len__(self) -> int:
        return len(self.ids)

    def position(self, ident: str) -> int:
        """0-based position of an item (KeyError if the view has none with this id)."""
        return self.positions[ident]


_INDEX = memo.ByteLRU("noteview.index", memo.NOTEVIEW_BUDGET // 4, sizeof=lambda index: 160 * len(index) + 256)


def view_index(trace: Trace, view: str) -> ViewIndex:
    """The ids and positions of a view (the trace's own when the view is the trace's order)."""
    def make() -> ViewIndex:
        if view == "trace" or script_of(trace.network) is None:  # the engine's order: no item per step needed
            return ViewIndex(tuple(st.id for st in trace.steps), trace.positions())
        items = view_items(trace, view)
        return ViewIndex(tuple(it.id for it in items), {it.id: i for i, it in enumerate(items)})

    return _INDEX.get_or_make((memo.ident(trace), view), make)


def nearest(trace: Trace, ident: str, view: str) -> str:
    """The item of `view` to show for an item of another view: the same one, the item that first needs a step
    the view leaves out, else the view's first item."""
    index = view_index(trace, view)
    if ident in index.positions:
        return ident
    step = ident.split("#", 1)[0]
    if step in index.positions:  # another occurrence of a step this view writes (`loss#2`): its first one
        return step
    if trace.is_step(step):
        items = view_items(trace, view)
        slot = _slots(trace, [it.step for it in items]).get(step)
        if slot is not None:
            return index.ids[min(slot, len(index) - 1)]
    return index.ids[0]


# --- values in a note's form ----------------------------------------------------------------------------

_EXPERIMENTS = memo.ByteLRU("noteview.experiments", memo.NOTEVIEW_BUDGET // 8,
                            sizeof=lambda traces: sum(900 * len(t) for t in traces) + 256)  # a note's traces: small


def _experiments(trace: Trace, script: dict) -> tuple[Trace, ...]:
    """The script's experiments on this network (a nudge of its givens), computed once per trace: the same traces
    for every precision and language, so their renderings are cached too."""
    def make() -> tuple[Trace, ...]:
        return tuple(compute_trace(with_givens(trace.network, e.get("set", {}))) for e in script.get("experiments", []))

    return _EXPERIMENTS.get_or_make(memo.ident(trace), make)


def _value(ref: str, trace: Trace, experiments: list[Trace]) -> float:
    """A reference's value: `ID`, `e0:ID`, `d:ID`, or a sum of products of them (`a*b + c*d`)."""
    if "+" in ref or "*" in ref:
        total = 0.0
        for term in ref.split("+"):
            product = 1.0
            for factor in term.split("*"):
                product *= _one_value(factor.strip(), trace, experiments)
            total += product
        return total
    return _one_value(ref, trace, experiments)


def _one_value(ref: str, trace: Trace, experiments: list[Trace]) -> float:
    source = trace
    if ref[:1] == "e" and ":" in ref and ref[1:ref.index(":")].isdigit():
        k = int(ref[1:ref.index(":")])
        if k >= len(experiments):
            raise ScriptError(f"[[{ref}]]: no experiment {k}")
        source, ref = experiments[k], ref[ref.index(":") + 1:]
    if ref.startswith("d:"):
        ident = ref[2:]
        if not ident.startswith(("new_w:", "new_b:")) or ident not in source:
            raise ScriptError(f"[[d:{ident}]]: expected a new_w or new_b step")
        return source.value(ident) - source.value(ident[4:])
    if ref not in source:
        raise ScriptError(f"[[{ref}]]: no step or given of this network")
    return source.value(ref)


def fill(template: str, trace: Trace, experiments: list[Trace], opts: RenderOptions) -> str:
    """The template with every [[ref]] replaced by its value at the chosen precision (a plain left-to-right scan)."""
    out: list[str] = []
    i = 0
    while True:
        start = template.find("[[", i)
        if start < 0:
            out.append(template[i:])
            return "".join(out)
        end = template.find("]]", start + 2)
        if end < 0:
            raise ScriptError(f"unclosed [[ in {template[:60]!r}")
        out.append(template[i:start])
        ref = template[start + 2:end]
        negate = bracket = False
        if ref.startswith("(") and ref.endswith(")"):
            bracket, ref = True, ref[1:-1]
        if ref.startswith("-"):
            negate, ref = True, ref[1:]
        value = _value(ref, trace, experiments)
        value = -value if negate else value
        text = number(value, opts.decimals, opts.significant)
        out.append(f"({text})" if bracket and text.startswith("-") else text)
        i = end + 2


# --- the note's lines and what it printed --------------------------------------------------------------

def printed_kind(value: float, printed: str) -> str | None:
    """`match` when `printed` is the value rounded half up at its decimals (or exact), `truncated` when it is
    the value cut off there, None when it is neither (a slip or a typo, which the script must say)."""
    try:
        d = Decimal(printed.replace("−", "-"))
    except InvalidOperation:
        return None
    if not d.is_finite():
        return None
    exponent = d.as_tuple().exponent
    if at_place(value, exponent, ROUND_HALF_UP) == d:  # exact values included: they round to themselves
        return "match"
    if at_place(value, exponent, ROUND_DOWN) == d:
        return "truncated"
    return None


def note_line(entry: dict, value: float | None) -> NoteLine | None:
    """The note's line for an entry (None when the entry names no line)."""
    if "line" not in entry:
        return None
    printed = entry.get("printed")
    kind = entry.get("kind")
    if printed is not None and kind is None:
        kind = printed_kind(value, printed) if value is not None and math.isfinite(value) else None
        if kind is None:
            raise ScriptError(f"line {entry['line']}: the note printed {printed}, which is not the value "
                              f"{value!r} rounded or cut off: say whether it is a slip or a typo")
    return NoteLine(int(entry["line"]), entry.get("text", ""), printed, kind, entry.get("reason"))


# --- rendering ------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ViewStep:
    """A rendered step of a view: the tutor's rendering, in the note's form where the note has one."""

    id: str  # unique in the view
    step: str | None  # the trace step (None: the note's own explanation)
    rendered: RenderedStep
    note: NoteLine | None
    added: bool

    @property
    def phase(self) -> str:
        return self.rendered.phase


def _text(entry: dict, key: str, lang: str) -> str | None:
    value = entry.get(key)
    if isinstance(value, dict):
        return value.get(lang) or value.get("en")
    return value


def _views_size(steps: tuple[ViewStep, ...]) -> int:
    """A view's wrappers (~200 B a step), and a script's own renderings (its lines and captions, up to ~3 KB a
    step, counted for every step of a view of a note's size). A view of a long trace is in the engine's order
    (scripts belong to small presets): it shares the rendered steps, which engine.render's cache counts."""
    own = sum(len(v.rendered.latex) * 2 + len(v.rendered.caption) * 4 + 900 for v in steps) if len(steps) <= 2000 else 0
    return 200 * len(steps) + own + 256


_VIEWS = memo.ByteLRU("noteview.rendered", memo.NOTEVIEW_BUDGET // 2, sizeof=_views_size)


def render_view(trace: Trace, opts: RenderOptions, view: str) -> list[ViewStep]:
    """Every item of the view, rendered (cached per trace, options and view, within the memo budgets)."""
    return list(_VIEWS.get_or_make((memo.ident(trace), opts, view), lambda: tuple(_render_view(trace, opts, view))))


def _render_view(trace: Trace, opts: RenderOptions, view: str) -> list[ViewStep]:
    rendered = render_trace(trace, opts)
    items = view_items(trace, view)
    found = script_of(trace.network) if view != "trace" else None
    script, own = found if found else ({}, False)
    experiments = _experiments(trace, script) if any(it.entry for it in items) else []
    lang = opts.lang
    out: list[ViewStep] = []
    for it in items:
        entry = it.entry
        if entry is None:
            out.append(ViewStep(it.id, it.step, rendered[trace.position(it.step)], None, found is not None))
            continue
        source = experiments[entry["experiment"]] if "experiment" in entry else trace
        if it.step is not None:
            base = rendered[trace.position(it.step)] if source is trace else \
                render_trace(source, opts)[source.position(it.step)]
            value = base.value
        else:
            ref = entry.get("value")
            value = math.nan
            if ref:
                value = -_value(ref[1:], trace, experiments) if ref.startswith("-") else _value(ref, trace, experiments)
            base = RenderedStep(it.id, it.phase, EXPLAIN, "", "", "", "", "", "", None,
                                tuple(entry.get("highlight", ())), value if math.isfinite(value) else 0.0)
        changes: dict[str, Any] = {"id": it.id, "phase": it.phase}
        if "latex" in entry:
            latex = fill(entry["latex"], source, experiments, opts)
            changes["latex"] = latex
            if it.step is None:
                changes["result"] = number(value, opts.decimals, opts.significant) if math.isfinite(value) else ""
        if "caption" in entry:
            changes["caption"] = _text(entry, "caption", lang) or ""
        if "callout" in entry:
            changes["callout"] = _text(entry, "callout", lang)
        if "highlight" in entry and it.step is not None:
            changes["path_ids"] = tuple(entry["highlight"])
        note = note_line(entry, value if math.isfinite(value) else None) if own else None
        out.append(ViewStep(it.id, it.step, replace(base, **changes), note, False))
    return out


def check_script(preset_id: str) -> list[str]:
    """Problems of a preset's script (for the tests): unknown steps, bad refs, unexplained printed numbers."""
    from .latex import katex_problems

    problems: list[str] = []
    network = load_preset(preset_id)
    trace = compute_trace(network)
    for lang, decimals in ((LANGS[0], None), (LANGS[1], 4)):  # a value the script wrote as a number shows here
        try:
            steps = render_view(trace, RenderOptions(lang=lang, decimals=decimals), "note")
        except ScriptError as err:
            return [str(err)]
        for v in steps:
            problems += [f"{v.id}: {p}" for p in katex_problems(v.rendered.latex)]
            if v.note and v.note.kind in ("slip", "typo") and not (v.note.reason or {}).get(lang):
                problems.append(f"{v.id}: a {v.note.kind} needs a reason in {lang}")
            if v.step is not None and v.id == v.step and v.rendered.result not in v.rendered.latex:
                problems.append(f"{v.id}: the line must show the step's value {v.rendered.result}")
            if v.step is None and not v.rendered.caption:
                problems.append(f"{v.id}: an explanation needs a caption in {lang}")
    return problems


def notes_by_step(trace: Trace, lang: str = "en") -> dict[str, list[NoteLine]]:
    """Every line of the note that writes each trace step (in the note's order); empty without the note's numbers."""
    out: dict[str, list[NoteLine]] = {}
    if script_of(trace.network) is None:
        return out
    for v in render_view(trace, RenderOptions(lang=lang), "note"):
        if v.step is not None and v.note is not None:
            out.setdefault(v.step, []).append(v.note)
    return out


# --- words for a step's note line (the stepper, the exports) ---------------------------------------------

_WORDS = {
    "en": {"line": "In the note, line {line}", "printed": "the note printed {printed}", "match": "as the tutor has it",
           "truncated": "cut off, not rounded", "slip": "a slip", "typo": "a typo", "added": "added by the tutor",
           "explain": "the note's explanation"},
    "zh": {"line": "笔记第 {line} 行", "printed": "笔记写的是 {printed}", "match": "与本页一致",
           "truncated": "笔记是截断的，不是四舍五入", "slip": "笔记算错了", "typo": "笔记笔误", "added": "本页补充的步骤",
           "explain": "笔记里的讲解"},
}


def note_words(lang: str) -> dict[str, str]:
    return dict(_WORDS["zh" if lang == "zh" else "en"])


def describe(note: NoteLine, lang: str) -> str:
    """One plain sentence: "In the note, line 57: the note printed −1.05; a slip: the sign ..."."""
    w = _WORDS["zh" if lang == "zh" else "en"]
    head = w["line"].format(line=note.line)
    parts = []
    if note.printed is not None:
        parts.append(w["printed"].format(printed=note.printed.replace("-", "−")))
    if note.kind in ("truncated", "slip", "typo"):
        reason = (note.reason or {}).get(lang) or (note.reason or {}).get("en")
        parts.append(reason or w[note.kind])  # a reason says what the slip or typo is
    sep = "；" if lang == "zh" else "; "
    return head + ("：" if lang == "zh" else ": ") + sep.join(parts) if parts else head
