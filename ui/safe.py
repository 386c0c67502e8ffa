r"""User text shown as text: in Markdown (st.markdown, st.warning, labels, ...) and in the Plotly diagram.

Everything a user controls (URL parameters, a config's title, description, source and keys, notation
symbols, file names, pasted answers echoed in messages) reaches the page only through these helpers:

- `text(s)` -> `Md`: Markdown that shows `s` literally. Backslash-escaped (CommonMark lets any ASCII
  punctuation be escaped, and the backslash then disappears): always ``\ ` * [ ] ( ) ! < > $ ~ | # & @``,
  so no link, image, HTML tag, autolink, emphasis, code, table, `$math$`, `:colour[...]` directive or
  e-mail link can start; `_` unless it is inside a word (`learning_rate` stays as it is: an intraword `_`
  never starts emphasis); a leading `- ` `+ ` `1. ` `1) `, or a value of only `-`/`=` (no list, heading
  or rule); an invisible WORD JOINER after `http` `https` `www` `@` ... (no GFM link literal). Control
  characters (and bidi overrides) become spaces, lone surrogates U+FFFD, runs of white space one space:
  one line. At most `limit` characters (then "…").
- `Md`: a str that is already safe Markdown (the i18n strings, and what `text` returns). `ui.i18n.t()`
  escapes every str parameter that is not an `Md`, so `t("bad_preset", lang, value=raw_url_value)` is safe.
- `html(s)`: for Plotly's text and hovertext (a subset of HTML): `& < > " '` as entities, no control
  characters, at most `limit` characters.
- `plain(s)`: for plain-text sinks (dataframe cells, select options): no control characters, no lone
  surrogates, at most `limit` characters; no escaping (those sinks show text as it is).
- `math_markdown(md)`: Markdown with `$math$` whose text parts are escaped already (engine.worksheet's
  sheets, whose names, titles and captions engine.export escapes) -> `Md`, with the GFM link literals of its
  text parts broken as `text` breaks them (the engine's escaping stops everything else but not those).
"""

from __future__ import annotations

import html as _html
import re

MAX_TEXT = 300  # characters of one user-controlled value in a message, title or label
ELLIPSIS = "…"

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SPACES = re.compile(r"\s+")
_ALWAYS = re.compile(r"([\\`*\[\]()!<>$~|#&@])")
_UNDERSCORE = re.compile(r"(?<!\w)_|_(?!\w)")  # not inside a word
_LEADING = re.compile(r"^(?:[-+](?=\s|$)|(?=[-=\s]+$)[-=]|\d{1,9}(?=[.)](?:\s|$)))")  # a list item, a rule, a heading
# NOTE: GFM link literals (https://x, www.x, a@b.c) are recognised while the text is read, before escapes
# count: a backslash does not stop them, nor does anything put before them. An invisible WORD JOINER
# (U+2060) inside the pattern does (checked in Chromium: tests/browser/test_hostile.py): `http⁠://`,
# `www⁠.`, `a@⁠b.c` are no links.
WORD_JOINER = "\u2060"
_LINK_LITERAL = re.compile(r"(?i)(?:https?|ftp|mailto)(?=:)|www(?=\.)|@")


class Md(str):
    """A str that is safe Markdown as it is (trusted text, or user text passed through `text`)."""

    __slots__ = ()


def clean(s: object, limit: int = MAX_TEXT) -> str:
    """One line of printable text: controls -> space, lone surrogates -> U+FFFD, at most `limit` characters."""
    if not isinstance(s, str):
        s = str(s)
    if len(s) > 4 * limit:  # cut first: the regexes below then see a bounded text
        s = s[: 4 * limit]
    s = _SURROGATE.sub("\ufffd", s)
    s = _SPACES.sub(" ", _CONTROL.sub(" ", s)).strip()
    if len(s) > limit:
        s = s[: max(limit - 1, 0)].rstrip() + ELLIPSIS
    return s


def text(s: object, limit: int = MAX_TEXT) -> Md:
    """`s` as Markdown that shows it literally (an `Md` is returned as it is)."""
    if isinstance(s, Md):
        return s
    s = _ALWAYS.sub(r"\\\1", clean(s, limit))
    s = _UNDERSCORE.sub(r"\\_", s)
    s = _break_links(s)
    m = _LEADING.match(s)
    if m:  # "1. x" -> "1\. x"; "- x", "===" -> "\- x", "\==="
        s = s[: m.end()] + "\\" + s[m.end():] if m.group(0)[:1].isdigit() else "\\" + s
    return Md(s)


def _break_links(s: str) -> str:
    return _LINK_LITERAL.sub(lambda m: m.group(0) + WORD_JOINER, s)


_MATH_OR_ESCAPE = re.compile(r"\\.|\$\$|\$", re.S)  # an escaped character, or a math delimiter


def math_markdown(md: str) -> Md:
    """Markdown whose text parts are escaped already and whose `$...$` / `$$...$$` are math (engine.worksheet's):
    its GFM link literals outside math broken (`https://x` in a student's name would be a live link); math and
    escapes are left as they are. Linear: one pass of one regex."""
    out: list[str] = []
    pos, opener = 0, None  # opener: the delimiter of the math we are in (None: in text)
    for m in _MATH_OR_ESCAPE.finditer(md):
        token = m.group(0)
        if token[0] == "\\":
            continue
        part = md[pos:m.start()]
        out.append(part if opener else _break_links(part))
        out.append(token)
        pos = m.end()
        if opener is None:
            opener = token
        elif token == opener:
            opener = None
    rest = md[pos:]
    out.append(rest if opener else _break_links(rest))
    return Md("".join(out))


def plain(s: object, limit: int = MAX_TEXT) -> str:
    """`s` for a sink that shows text as text (a dataframe cell, a select option): clean, not escaped."""
    return clean(s, limit)


def html(s: object, limit: int = MAX_TEXT) -> str:
    """`s` for Plotly's text and hovertext: clean, `& < > " '` as entities."""
    return _html.escape(clean(s, limit), quote=True)
