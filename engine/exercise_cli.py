"""`python -m engine exercise`: a fresh exercise as a config file, its worksheet and answer key, a class pack."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from .catalog import load_preset, preset_ids
from .cli import whole
from .config import ConfigError, Network, load_config, read_file
from .exercise import MAX_SEED, config_json, generate_traced, parse_seed, seed_for, student_text
from .limits import MAX_DECIMALS, MAX_PACK
from .worksheet import DEFAULT_DECIMALS, class_pack, worksheet

USAGE = """examples:
  python -m engine exercise --template note002 --seed 7 > ex.json      # then: trace ex.json, check ex.json
  python -m engine exercise --template note002 --seed 7 --format latex [--key]
  python -m engine exercise --template note002 --name "Ada Lovelace" --assignment hw3 --format markdown
  python -m engine exercise --template note002 --names names.txt --assignment hw3 --format latex --out-dir DIR
  python -m engine exercise my_net.json --seeds 1-30 --format markdown --key"""


def add_parser(sub) -> None:
    """The `exercise` subcommand's options."""
    e = sub.add_parser("exercise", help="a fresh exercise from a template: config JSON, worksheet, answer key",
                       epilog=USAGE, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = e.add_mutually_exclusive_group(required=True)
    src.add_argument("file", nargs="?", help="a config JSON file used as the template")
    src.add_argument("--template", metavar="ID", help="a preset id used as the template (see `presets`)")
    who = e.add_mutually_exclusive_group()
    who.add_argument("--seed", metavar="N", help=f"the exercise's seed, 0-{MAX_SEED}")
    who.add_argument("--names", metavar="FILE", help=f"class pack: one student name or ID a line (at most {MAX_PACK})")
    who.add_argument("--seeds", metavar="LIST", help="class pack: seeds such as 1-30 or 3,7,12")
    e.add_argument("--name", help="the student's name or ID: printed on the sheet; without --seed it gives the seed")
    e.add_argument("--assignment", metavar="WORD", default="", help="the assignment word a name's seed depends on")
    fmt = e.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="the exercise as a config file (the default)")
    fmt.add_argument("--format", choices=("json", "markdown", "latex"), default=None)
    e.add_argument("--key", action="store_true", help="the answer key instead of the worksheet")
    e.add_argument("--lang", choices=("en", "zh"), default="en")
    e.add_argument("--decimals", type=int, metavar="N", default=DEFAULT_DECIMALS,
                   help=f"decimals of the key's numbers (default {DEFAULT_DECIMALS})")
    e.add_argument("--out-dir", metavar="DIR", help="write sheets.EXT and keys.EXT there instead of printing")


def _template(args: argparse.Namespace) -> Network:
    if args.template is None:
        return load_config(args.file)
    if args.template not in preset_ids():
        raise ConfigError("--template", code="unknown_name", got=args.template, choices=", ".join(preset_ids()))
    return load_preset(args.template)


def _seeds(text: str) -> list[int]:
    """`1-30`, `3,7,12`, `1-5,9`: at most MAX_PACK seeds."""
    out: list[int] = []
    for part in text.split(","):
        m = re.fullmatch(r"\s*([0-9]{1,10})\s*(?:-\s*([0-9]{1,10})\s*)?", part)
        if not m:
            raise ConfigError("--seeds", f"expected seeds such as 1-30 or 3,7,12, got {part.strip()[:40]!r}")
        low = parse_seed(m[1], "--seeds")
        high = parse_seed(m[2], "--seeds") if m[2] else low
        if high < low:
            raise ConfigError("--seeds", f"the range {low}-{high} runs backwards; write it low-high")
        if len(out) + high - low + 1 > MAX_PACK:
            raise ConfigError("--seeds", f"expected at most {MAX_PACK} seeds, got more")
        out.extend(range(low, high + 1))
    return out


def _names(path: str) -> list[str]:
    """The names file: one name or ID a line; blank lines are skipped."""
    lines = [line for line in read_file(path).splitlines() if line.strip()]
    if len(lines) > MAX_PACK:
        raise ConfigError(path, code="too_many_lines", n=len(lines), limit=MAX_PACK)
    return [student_text(line, f"{Path(path).name}: line {i}") for i, line in enumerate(lines, 1)]


def _write(out_dir: str, ext: str, sheets: str, keys: str) -> None:
    directory = Path(out_dir)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for stem, body in (("sheets", sheets), ("keys", keys)):
            (directory / f"{stem}.{ext}").write_text(body, encoding="utf-8")
    except (OSError, ValueError) as err:
        raise ConfigError("--out-dir", f"cannot write there ({getattr(err, 'strerror', None) or err})") from None
    print(f"wrote {directory / ('sheets.' + ext)} and {directory / ('keys.' + ext)}")


def run(args: argparse.Namespace) -> int:
    """Print (or write) what the options ask for; bad input raises a ConfigError naming the option."""
    fmt = "json" if args.json else (args.format or "json")
    pack = args.names is not None or args.seeds is not None
    whole("--decimals", args.decimals, 0, MAX_DECIMALS)
    if fmt == "json" and (pack or args.key or args.out_dir):
        option = "--key" if args.key else "--out-dir" if args.out_dir else "--names" if args.names else "--seeds"
        raise ConfigError(option, "needs --format markdown or latex (JSON is one exercise's config)")
    if pack and args.name is not None:
        raise ConfigError("--name", "is for one sheet; a class pack takes --names FILE")
    if args.seed is None and args.name is None and not pack:
        raise ConfigError("--seed", "required (or --name with --assignment, or --names / --seeds for a class pack)")
    template = _template(args)
    ext = {"markdown": "md", "latex": "tex"}.get(fmt)
    if pack:
        students = _names(args.names) if args.names is not None else _seeds(args.seeds)
        sheets, keys = class_pack(template, students, assignment=args.assignment, fmt=fmt, lang=args.lang,
                                  decimals=args.decimals)
    else:
        seed = parse_seed(args.seed, "--seed") if args.seed is not None else seed_for(args.name, args.assignment)
        traced = generate_traced(template, seed)  # one trace for the sheet and the key
        if fmt == "json":
            sys.stdout.write(config_json(traced.network))
            return 0
        options = dict(fmt=fmt, lang=args.lang, name=args.name, assignment=args.assignment, decimals=args.decimals)
        sheets = "" if args.key and not args.out_dir else worksheet(traced, **options)
        keys = worksheet(traced, key=True, **options) if args.key or args.out_dir else ""
    if args.out_dir:
        _write(args.out_dir, ext, sheets, keys)
    else:
        sys.stdout.write(keys if args.key else sheets)
    return 0
