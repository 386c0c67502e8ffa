"""Check my work: mark a learner's hand calculation step by step, as a careful examiner would.

API
    check_answers(trace, answers, tolerance=None, lang="en", mode="strict", min_figures=2) -> CheckReport
                                                               (answers: [Answer]; mode "strict" | "last_digit")
    check_file(trace, path, lang="en", tolerance=None, mode=..., min_figures=...)  (a JSON answers file)
    check_printed(network, experiment=None, lang="en")         (a preset's printed numbers, the note's order)
    parse_answers_json(text, trace) -> [Answer]                (ConfigError, one line, for a bad file)
    parse_answer_lines(text, trace) -> ([Answer], [problem])   (pasted text; one problem per bad entry)
    names_of(trace).resolve(name) -> id, .display(id) -> name (NameError_, a ValueError, if unknown)
    CheckReport.results [Result], .score, .marks, .out_of, .distinct_errors, .mode, .first_wrong, .to_json(),
        .to_text(), .latex(result)
    Result: id, given, expected, verdict, mistake, explanation, reproduced, carried_from, follow_through, name, ...
    MISTAKE_INFO[key], words(key, field, lang)                 (the mistakes' words: mistakes.json, models.py)

Modules
    spelling   how a name reads in plain text
    names      the learner's names for steps and givens (the rules for names and samples)
    answers    Answer, and answers read from JSON or from pasted lines (the rules for writing them)
    precision  whether a value reads as the number the learner wrote (the tolerances)
    recompute  the step graph: a step computed again from other numbers
    mistakes   the mistake models (computations), in the order they are tried
    models     the mistakes as data: what each reproduces, its label, message and teacher note (mistakes.json)
    explain    a step's computation written out in names and numbers
    report     Result, CheckReport, the score, and the words of the explanations in English and Chinese
    marker     the verdict, the rules, and the likely mistake, of each answer

Tolerances (precision.agrees; "reads as" below)
    strict      the value, rounded half away from zero or cut off at the place of the learner's last digit,
                is the number written (`0.2984` and `0.2983` for 0.298371...; the value is first cut to 12
                significant digits so binary noise decides no tie).
    last_digit  the same, or the last digit one off: |written - rounded value| <= one unit in the last place
                (`0.2985`, `0.2982` too; STACK's NumSigFigs [n, n-1]).
    Either way a number written with fewer than `min_figures` (2) significant figures reads only as the
    exact value (`1` for x = 1, not for 1.05). With `tolerance`: |given - value| <= tolerance instead, and no
    figure rule.

Verdicts (each answer in the trace's order; the givens first)
    correct  it reads as the true value (right values first).
    too few  (wrong, mistake `too_few_figures`) it would read as the true value, or as what the learner's own
             numbers give, but has fewer than `min_figures` significant figures and is not exact (`0.03` for
             0.0278): "too few significant figures", never a pass.
    carried  it does not read as the true value, but it reads as `own`, the step's operation applied to the
             learner's own numbers (each step recomputed from its operands, taking the learner's value wherever
             they gave one, the first one if several): follow-through (`follow_through` true, and the
             explanation names the learner's numbers used). `carried_from`: the nearest answers it is computed
             from that are not correct; when those are all correct, looking past them (see Premature rounding).
    wrong    neither. The mistake models (`mistakes`) are tried in order on the step's computation, from the
             true numbers and then from the learner's own (`follow_through` true); the first that reproduces
             the given value (it reads as it) names the mistake (`reproduced` is its value).
    No credit where the error made the step trivial (mistake `trivial_step`, wrong, not carried): a carried
    answer whose own computation is degenerate because of the learner's earlier numbers while the true one is
    not: an activation derivative a(1 - a) or 1 - a^2 that is 0 because the learner's a is 0 or 1 (or +-1), a
    dead ReLU (the learner's z <= 0, derivative 0), a product (or every path of a sum over paths) with a factor
    0 that is not 0 in the true numbers, an update whose gradient is 0 in the learner's numbers only.

Premature rounding (mistake `premature_rounding`): "too coarse", precisely
    An answer X is rounded too early when
      (a) X is correct: it reads as the true value at its own written precision;
      (b) a rounding entered at X: written as a decimal, its value differs by more than binary noise both
          from the true value and from what the learner's own numbers give for it (`own(X)`; for a given,
          the given's value);
      (c) a later answer Y computed from X - through answers that are correct and only follow from earlier
          ones (written value = own) - does not read as the true value at Y's precision, yet reads as own(Y)
          (it follows correctly from the learner's numbers), and no answer Y comes from is wrong or carried;
      (d) with X written exactly (its true value) and the answers between X and Y recomputed from it (those
          where no rounding entered; the others keep their written values), Y's value, written at Y's
          precision, would read as the true value.
    Of the answers that meet (a)-(c) for Y, the first in the trace's order that meets (d) is marked wrong
    (the first of them if none does alone); Y is carried from it, and so is every later answer that follows
    from it - never correct - while an answer that reads as the true value stays correct. The message gives
    the significant figures X was written with and N, the fewest (up to 15) such that X rounded to N
    significant figures makes every Y it threw off read as the true value: "rounded too early: you wrote
    h1 = 1.3 with 2 significant figures; later answers need at least 3". A rounding that leaves every later
    answer right at its own precision is no error (note 002's 5 decimals carried on). In a network near the
    size limits the search stops after WORK steps (then Y is marked as before: correct).

Score
    One mark per answer, less one per distinct error (each wrong answer; a step answered twice counts once);
    carried answers cost nothing further: marks = out_of - distinct_errors.
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
from .models import MISTAKE_INFO, RULES, words
from .names import NameError_, Names, names_of
from .precision import MIN_FIGURES, MODES, agrees
from .recompute import NEAREST, WORK, Candidate, Detail, Lookup, Perturbation
from .recompute import _graph_of as _graph_of  # the tests recompute every step through it
from .report import VERDICTS, CheckReport, Result
from .spelling import canon, pretty

__all__ = [
    "MAX_MIN_FIGURES", "MIN_FIGURES", "MISTAKES", "MISTAKE_INFO", "MODELS", "MODES", "NEAREST", "RULES",
    "SQUARED_LOSSES", "VERDICTS", "WORK", "Answer", "Candidate", "CheckReport", "Detail", "Lookup", "NameError_",
    "Names", "Perturbation", "Result", "agrees", "canon", "check_answers", "check_file", "check_printed", "names_of",
    "parse_answer_lines", "parse_answers_json", "pretty", "words",
]
MAX_MIN_FIGURES = 15  # min_figures, --min-figures: 1..15


def _options(tolerance: float | None, mode: str, min_figures: int) -> None:
    if tolerance is not None and (not math.isfinite(tolerance) or tolerance < 0):
        raise ConfigError("tolerance", f"expected a number >= 0, got {tolerance}")
    if mode not in MODES:
        raise ConfigError("mode", f"expected one of {', '.join(MODES)}, got {str(mode)[:40]!r}")
    if not isinstance(min_figures, int) or isinstance(min_figures, bool) or not 1 <= min_figures <= MAX_MIN_FIGURES:
        raise ConfigError("min_figures", f"expected a whole number from 1 to {MAX_MIN_FIGURES}, got {min_figures!r}")


def check_answers(trace: Trace, answers: Iterable[Answer], *, tolerance: float | None = None,
                  lang: str = "en", mode: str = "strict", min_figures: int = MIN_FIGURES) -> CheckReport:
    """Mark each answer correct, carried or wrong (with the likely mistake); results in the trace's order."""
    _options(tolerance, mode, min_figures)
    resolved = _resolved(trace, answers)
    results = _Marker(trace, resolved, tolerance, lang, mode, min_figures).mark()
    return CheckReport(results, lang, trace, "tolerance" if tolerance is not None else mode)


def check_file(trace: Trace, path: str | Path, lang: str = "en", *, tolerance: float | None = None,
               mode: str = "strict", min_figures: int = MIN_FIGURES) -> CheckReport:
    """Mark a JSON answers file; ConfigError (one line) for a missing file or bad JSON."""
    _options(tolerance, mode, min_figures)
    text = read_file(path)  # a regular file within MAX_FILE_BYTES, checked before it is read
    return check_answers(trace, parse_answers_json(text, trace, Path(path).name), tolerance=tolerance, lang=lang,
                         mode=mode, min_figures=min_figures)


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
    results = _Marker(trace, answers, None, lang, voice="note").mark()
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
