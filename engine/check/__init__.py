"""Check my work: mark a learner's hand calculation step by step and name the likely mistake.

API
    check_answers(trace, answers, tolerance=None, lang="en") -> CheckReport   (answers: [Answer])
    check_file(trace, path, lang="en", tolerance=None)         (a JSON answers file; ConfigError if bad)
    check_printed(network, experiment=None, lang="en")         (a preset's printed numbers, the note's order)
    parse_answers_json(text, trace) -> [Answer]                (ConfigError, one line, for a bad file)
    parse_answer_lines(text, trace) -> ([Answer], [problem])   (pasted text; one problem per bad entry)
    names_of(trace).resolve(name) -> id, .display(id) -> name (NameError_, a ValueError, if unknown)
    CheckReport.results [Result], .score, .first_wrong, .to_json(), .to_text(), .latex(result)
    Result: id, given, expected, verdict, mistake, explanation, reproduced, carried_from, name, ...

Modules
    spelling   how a name reads in plain text
    names      the learner's names for steps and givens (the rules for names and samples)
    answers    Answer, and answers read from JSON or from pasted lines (the rules for writing them)
    precision  whether a value reads as the number the learner wrote
    recompute  the step graph: a step computed again from other numbers
    mistakes   the mistake models, in the order they are tried
    explain    a step's computation written out in names and numbers
    report     Result, CheckReport, and the words of the explanations in English and Chinese
    marker     the verdict, and the likely mistake, of each answer

Verdicts (in this order)
    correct  the true value, rounded half away from zero or cut off at the decimals the learner
             wrote, reads exactly the written number (`0.2984` and `0.2983` for 0.298371...; the
             value is first cut to 12 significant digits so binary noise decides no tie). A number
             written with fewer than 2 significant digits must be exact (`1` for 1.05 is not
             correct, `1` for x = 1 is). With `tolerance`, instead: |given - true| <= tolerance.
             An answer that follows exactly from the learner's own earlier answers, all of them
             correct at their precision, is also correct (rounded intermediates, as in note 002).
    carried  wrong, but what the right method gives from the learner's own earlier answers
             (error carried forward): every step is recomputed from the operands, taking the
             learner's value wherever they gave one (the first one, if they gave several), and
             the given matches at its precision. `carried_from` lists the answers it came from.
    wrong    neither. The mistake models (`mistakes`) are tried in order on the step's computation,
             both from the true numbers and from the learner's own; the first that reproduces
             the given value at its precision names the mistake (`reproduced` is its value).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

from ..config import ConfigError, Network, read_file
from ..numbers import parse_number
from ..trace import Trace, compute_trace, with_givens
from .answers import Answer, _resolved, parse_answer_lines, parse_answers_json
from .marker import _Marker
from .mistakes import MISTAKES, MODELS, SQUARED_LOSSES
from .names import NameError_, Names, names_of
from .precision import agrees
from .recompute import NEAREST, WORK, Candidate, Detail, Lookup, Perturbation
from .recompute import _graph_of as _graph_of  # the tests recompute every step through it
from .report import VERDICTS, CheckReport, Result
from .spelling import canon, pretty

__all__ = [
    "MISTAKES", "MODELS", "NEAREST", "SQUARED_LOSSES", "VERDICTS", "WORK", "Answer", "Candidate", "CheckReport",
    "Detail", "Lookup", "NameError_", "Names", "Perturbation", "Result", "agrees", "canon", "check_answers",
    "check_file", "check_printed", "names_of", "parse_answer_lines", "parse_answers_json", "pretty",
]


def check_answers(trace: Trace, answers: Iterable[Answer], *, tolerance: float | None = None,
                  lang: str = "en") -> CheckReport:
    """Mark each answer correct, carried or wrong (with the likely mistake); results in the trace's order."""
    if tolerance is not None and (not math.isfinite(tolerance) or tolerance < 0):
        raise ConfigError("tolerance", f"expected a number >= 0, got {tolerance}")
    resolved = _resolved(trace, answers)
    return CheckReport(_Marker(trace, resolved, tolerance, lang).mark(), lang, trace)


def check_file(trace: Trace, path: str | Path, lang: str = "en", *, tolerance: float | None = None) -> CheckReport:
    """Mark a JSON answers file; ConfigError (one line) for a missing file or bad JSON."""
    text = read_file(path)  # a regular file within MAX_FILE_BYTES, checked before it is read
    return check_answers(trace, parse_answers_json(text, trace, Path(path).name), tolerance=tolerance, lang=lang)


def check_printed(network: Network, *, experiment: int | None = None, lang: str = "en") -> CheckReport:
    """The numbers a note prints (the preset's `printed`, or one experiment's) marked like a learner's,
    in the note's order, each result carrying its `where`; a recorded slip shows as wrong or carried."""
    meta = network.meta or {}
    printed = meta.get("printed") or []
    where = "printed"
    if experiment is not None:
        exp = (meta.get("experiments") or [])[experiment]
        where = f"experiments[{experiment}].printed"
        try:
            network = with_givens(network, exp.get("set", {}))
        except KeyError as err:
            raise ConfigError(f"experiments[{experiment}].set", f"{err.args[0]!r} is no given of this network") from None
        printed = exp.get("printed") or []
    trace = compute_trace(network)
    for i, e in enumerate(printed):  # an uploaded config's metadata: its steps need not exist
        if e["step"] not in trace:
            raise ConfigError(f"{where}[{i}].step", f"{e['step']!r} is no step of this network")
    answers = [Answer(e["step"], e["text"], parse_number(e["text"]), e["step"]) for e in printed]
    results = _Marker(trace, answers, None, lang).mark()
    # back to the note's order: mark() sorts by the trace, stably
    by_answer = {}
    for r in results:
        by_answer.setdefault((r.id, r.text), []).append(r)
    ordered = []
    for entry in printed:
        r = by_answer[(entry["step"], entry["text"])].pop(0)
        r.where = entry.get("where")
        ordered.append(r)
    return CheckReport(ordered, lang, trace)
