"""`python -m engine presets | trace | check | exercise`: the command-line contract (see README)."""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import replace

import numpy as np

from .catalog import list_presets, load_preset
from .config import MAX_ROUND_TO, ConfigError, Network, load_config
from .limits import MAX_DECIMALS, MAX_SIGNIFICANT
from .numbers import format_number
from .trace import Trace, compute_trace

EXIT_BAD_INPUT = 2
MAX_MESSAGE_CHARS = 500  # the one error line


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage dump
        command = " ".join(self.prog.split()[1:])
        raise ConfigError("usage", f"{message} (see python -m engine {command + ' ' if command else ''}--help)")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="engine", description="Backprop Tutor engine: one training step, every number.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = sub.add_parser("presets", help="list the presets")
    p.add_argument("--json", action="store_true", help="a JSON list of {id, title, source}")

    def network_args(p: argparse.ArgumentParser) -> None:
        src = p.add_mutually_exclusive_group(required=True)
        src.add_argument("file", nargs="?", help="a config JSON file")
        src.add_argument("--preset", help="a preset id (see `presets`)")
        p.add_argument("--round", type=int, metavar="K", help=f"hand rounding: round every neuron output to K decimals (0-{MAX_ROUND_TO}); overrides round_to")

    t = sub.add_parser("trace", help="every number of one iteration")
    network_args(t)
    fmt = t.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="the trace as one JSON object")
    fmt.add_argument("--format", choices=("text", "json", "markdown", "latex", "csv"), default=None)
    t.add_argument("--lang", choices=("en", "zh"), default="en", help="language of captions and headings")
    t.add_argument("--decimals", type=int, metavar="N", help="display N decimals")
    t.add_argument("--significant", type=int, metavar="N", help="display N significant digits")
    t.add_argument("--mul", choices=("times", "cdot"), default="times", help="the multiplication sign")
    t.add_argument("--view", choices=("trace", "note", "full"), default="trace",
                   help="trace: every step once, in the engine's order (default); note: a note preset's own steps, "
                        "in the note's order; full: the note's steps and the tutor's added ones")

    c = sub.add_parser("check", help="mark a hand calculation")
    network_args(c)
    c.add_argument("--answers", required=True, help="JSON object: step id or notation name -> number")
    c.add_argument("--json", action="store_true")
    c.add_argument("--lang", choices=("en", "zh"), default="en")
    c.add_argument("--tolerance", type=float, metavar="T",
                   help="accept |given - true| <= T instead of judging by the digits written")
    accept = c.add_mutually_exclusive_group()
    accept.add_argument("--accept", choices=("strict", "last-digit"), default="strict",
                        help="strict: the right value rounded or cut off at the digits written (default); "
                             "last-digit: that, or its last digit off by 1")
    accept.add_argument("--last-digit", dest="accept", action="store_const", const="last-digit",
                        help="the same as --accept last-digit")
    c.add_argument("--min-figures", type=int, metavar="N", default=None,
                   help="significant figures an answer needs unless it is exact (1-15, default 2)")

    from .exercise_cli import add_parser as add_exercise_parser

    add_exercise_parser(sub)
    return parser


def _network(args: argparse.Namespace) -> Network:
    network = load_preset(args.preset) if args.preset is not None else load_config(args.file)
    if args.round is not None:
        whole("--round", args.round, 0, MAX_ROUND_TO)
        network = replace(network, round_to=args.round)
    return network


def whole(option: str, value: int | None, low: int, high: int) -> None:
    """A whole-number option within [low, high] (None: not given), else one line naming the option."""
    if value is not None and not low <= value <= high:
        raise ConfigError(option, f"expected a whole number from {low} to {high}, got {value}")


def _precision(args: argparse.Namespace) -> None:
    whole("--decimals", getattr(args, "decimals", None), 0, MAX_DECIMALS)
    whole("--significant", getattr(args, "significant", None), 1, MAX_SIGNIFICANT)


def _finite(trace: Trace) -> None:
    """A config within the limits can still overflow (huge weights, many layers): name the first step that did."""
    for step in trace.steps:
        if not math.isfinite(step.value):
            raise ConfigError(step.id, code="overflow", number=format_number(step.value))


def _view(view: str, trace: Trace) -> str:
    """The view asked for; `note` and `full` only where a note's script applies (a note preset, or one made from it)."""
    from .noteview import has_note_view

    if view != "trace" and not has_note_view(trace.network):
        raise ConfigError("--view", f"{view!r} is only for the notes' presets (and networks of their shape); "
                                    "this network has only the 'trace' view")
    return view


def _json(obj, indent: int | None = None) -> str:
    try:
        return json.dumps(obj, ensure_ascii=False, allow_nan=False, indent=indent)
    except ValueError:  # NOTE: never NaN or Infinity in the JSON we print: _finite names the step first
        raise ConfigError("output", code="overflow", number="NaN") from None


def _text(trace) -> str:
    lines = [f"{trace.network.title or 'network'}  loss {format_number(trace.loss)} -> {format_number(trace.loss_after)}"]
    width = max(len(s.id) for s in trace.steps)
    phase = None
    for s in trace.steps:
        if s.phase != phase:
            phase = s.phase
            lines.append(f"\n[{phase}]")
        lines.append(f"  {s.id:<{width}}  {format_number(s.value)}")
    return "\n".join(lines)


def run(argv: list[str]) -> int:
    args = _build_parser().parse_args(argv)
    if args.command == "presets":
        presets = list_presets()
        if args.json:
            print(json.dumps([{"id": p["id"], "title": p["title"], "source": p["source"]} for p in presets],
                             ensure_ascii=False, indent=2))
        else:
            for p in presets:
                print(f"{p['id']:<24} {p['title']}" + (f"  [{p['source']}]" if p["source"] else ""))
        return 0
    if args.command == "exercise":
        from .exercise_cli import run as run_exercise

        return run_exercise(args)
    _precision(args)
    network = _network(args)
    trace = compute_trace(network)
    _finite(trace)
    if args.command == "trace":
        fmt = "json" if args.json else (args.format or "text")
        if fmt == "json":
            from .export import trace_json  # rendering adds latex and caption to every step

            print(_json(trace_json(trace, lang=args.lang, decimals=args.decimals, significant=args.significant,
                                   mul=args.mul, view=_view(args.view, trace))))
        elif fmt == "text":
            print(_text(trace))
        else:
            from .export import export

            sys.stdout.write(export(trace, fmt, lang=args.lang, decimals=args.decimals,
                                    significant=args.significant, mul=args.mul, view=_view(args.view, trace)))
        return 0
    from .check import check_file

    if args.tolerance is not None and not (args.tolerance >= 0 and math.isfinite(args.tolerance)):
        raise ConfigError("--tolerance", f"expected a number >= 0, got {args.tolerance}")
    from .check import MAX_MIN_FIGURES, MIN_FIGURES

    figures = MIN_FIGURES if args.min_figures is None else args.min_figures
    whole("--min-figures", figures, 1, MAX_MIN_FIGURES)
    report = check_file(trace, args.answers, lang=args.lang, tolerance=args.tolerance,
                        mode=args.accept.replace("-", "_"), min_figures=figures)
    if args.json:
        print(_json(report.to_json(), indent=2))
    else:
        print(report.to_text())
    return 0


def _one_line(message: str) -> str:
    """The error as one printable line: control characters escaped, cut to MAX_MESSAGE_CHARS."""
    line = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)
    return line if len(line) <= MAX_MESSAGE_CHARS else line[:MAX_MESSAGE_CHARS - 1] + "…"


def main(argv: list[str] | None = None) -> int:
    """Run one command; bad input exits 2 with one line on stderr, `error: <field>: <what is wrong>`."""
    try:
        with np.errstate(all="ignore"):  # an overflow is reported once, by _finite, not as numpy warnings
            return run(sys.argv[1:] if argv is None else argv)
    except ConfigError as err:
        print(_one_line(f"error: {err}"), file=sys.stderr)
        return EXIT_BAD_INPUT
    except RecursionError:
        print("error: input: nested too deeply", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return 0
