"""Hostile input through AppTest (issue 8): user text is shown as text, a config becomes current only when
everything that shows it works, the last good network stays usable."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from engine import load_preset
from ui import safe

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
# The step-through page's header and description show the config's title, description and source: the
# page (pages/step_through.py) has to pass them through ui.safe; until it does, these checks are expected to fail.
PAGE_ESCAPES = "safe." in (ROOT / "pages" / "step_through.py").read_text(encoding="utf-8")

LINK = "[click](https://evil.example/phish)"
IMAGE = "![i](http://evil.example/y.png)"
HTML = '<a href="https://evil.example">x</a><img src="http://evil.example/i.png">'
RULE = r"$\rule{2000px}{1500px}$"
COLOR = r"$\colorbox{red}{\Huge HUGE}$"
HOSTILE = f"{LINK} {IMAGE} {HTML} {RULE} {COLOR} **bold** www.evil.example"
TITLE = f"{LINK} {IMAGE} {RULE} <b>b</b> www.evil.example"  # within the engine's 200 characters

# A live (unescaped) link, image, HTML tag, autolink literal, or user math (\\rule, \\colorbox, ...) in Markdown.
LIVE = re.compile(r"(?<!\\)\]\(|(?<!\\)<[a-zA-Z/!]|(?i:(?:https?:|www\.)|@(?!\u2060)\w)"
                  r"|(?<!\\)\$[^$]*\\(?:rule|colorbox|href|url|Huge|includegraphics)")


def start(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def markdown_bodies(at: AppTest) -> list[str]:
    """Every element body and label that Streamlit renders as Markdown."""
    out: list[str] = []
    for kind in ("markdown", "caption", "warning", "error", "info", "success", "subheader", "header", "title"):
        out += [str(e.value) for e in getattr(at, kind)]
    out += [str(b.label) for b in at.button] + [str(e.label) for e in at.expander]
    out += [str(w.label) for w in at.text_input] + [str(w.label) for w in at.text_area]
    return out


def assert_no_live_markup(at: AppTest) -> None:
    for body in markdown_bodies(at):
        assert not LIVE.search(body), body


def assert_page_works(at: AppTest) -> None:
    """The page runs with a valid current network, and going to another step of it works."""
    from ui.state import trace_for

    assert not at.exception, at.exception
    assert len(trace_for(at.session_state["config_text"])) > 0  # a valid current network
    (element,) = at.get("bidi_component")
    ids = [s["id"] for s in json.loads(json.loads(element.proto.json)["payload"])["steps"]]  # the view's steps
    wanted = ids[min(5, len(ids) - 1)]
    at.session_state["step_id"] = wanted
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["step_id"] == wanted
    assert any(f'data-step-id="{wanted}"' in h.value for h in at.html)  # the step the page shows


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.session_state["exp_editor"] = True
    at.run()
    at.file_uploader(key="upload_config").set_value((name, data, "application/json"))
    return at.run()


def config_with(**fields) -> bytes:
    config = load_preset("note001").to_config()
    config.update(fields)
    return json.dumps(config).encode()


# --- safe.text --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", [LINK, IMAGE, HTML, RULE, COLOR, HOSTILE, "a\nb\r\n# heading", "- item", "1. x",
                                 "https://evil.example/x", "x@evil.example", "\ud800 lone", "\u202eevil"])
def test_safe_text_leaves_nothing_live(raw):
    shown = safe.text(raw)
    assert not LIVE.search(shown), shown
    assert "\n" not in shown and "\ud800" not in shown and "\u202e" not in shown
    assert not re.match(r"[-+=#>]|\d+[.)]", shown)


def test_safe_text_keeps_ordinary_names_and_truncates():
    assert safe.text("learning_rate") == "learning_rate"
    assert safe.text("dE_dw:l9") == "dE_dw:l9"
    assert safe.text("bad.json") == "bad.json"
    long = safe.text("x" * 10_000)
    assert len(long) <= safe.MAX_TEXT and long.endswith("…")
    assert safe.text(safe.text("[a]")) == safe.text("[a]")  # Md passes through: never escaped twice


def test_plotly_labels_are_escaped():
    assert safe.html('<a href="https://x">y</a>') == "&lt;a href=&quot;https://x&quot;&gt;y&lt;/a&gt;"


# --- the URL ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("query, escaped", [
    ({"preset": "[x](https://evil)"}, "\\[x\\]\\(https\u2060://evil\\)"),
    ({"lang": "![i](http://x/y.png)"}, "\\!\\[i\\]\\(http\u2060://x/y.png\\)"),
    ({"step": "<b>x</b>"}, r"\<b\>x\</b\>"),
    ({"present": "[p](javascript:alert(1))"}, r"\[p\]\(javascript:alert\(1\)\)"),
    ({"step": HOSTILE}, "\\[click\\]\\(https\u2060://evil.example/phish\\)"),
])
def test_url_parameters_are_shown_as_text(query, escaped):
    at = start(**query)
    assert not at.exception, at.exception
    assert any(escaped in w.value for w in at.warning), [w.value for w in at.warning]
    assert_no_live_markup(at)
    assert at.session_state["preset_id"] == "note000"
    assert_page_works(at)


def test_a_huge_url_parameter_is_cut_short():
    at = start(preset="[x](https://evil)" * 5000)
    assert not at.exception
    assert all(len(w.value) < 2 * safe.MAX_TEXT + 200 for w in at.warning)
    assert_page_works(at)


# --- uploads ----------------------------------------------------------------------------------------------

@pytest.mark.xfail(not PAGE_ESCAPES, reason="pages/step_through.py has to show the title through ui.safe", strict=True)
def test_an_upload_with_hostile_title_description_and_source_shows_them_as_text():
    at = start()
    data = config_with(title=TITLE, description={"en": HOSTILE, "zh": HOSTILE}, source=LINK)
    at = upload(at, f"{LINK}.json", data)
    assert not at.exception, at.exception
    assert at.session_state["source"] == "upload"
    assert_no_live_markup(at)
    assert any("\\[click\\]\\(https\u2060://evil.example/phish\\)" in body for body in markdown_bodies(at))
    assert_page_works(at)


def test_an_upload_message_shows_the_file_name_as_text():
    at = start()
    at = upload(at, f"{LINK}.json", b'{"layers": [], "learning_rat": 1}')
    assert not at.exception
    assert any("\\[click\\]\\(https\u2060://evil.example/phish\\)" in e.value for e in at.error), [e.value for e in at.error]
    assert_no_live_markup(at)


@pytest.mark.parametrize("notation", [
    {"loss": 5}, {"updated": None}, {"delta": 7}, {"sample": 2},
    {"loss": "E\\"}, {"loss": "E" + "_{x" * 3000 + "}" * 3000},
    {"loss": RULE.strip("$")}, {"loss": "\\href{https://evil.example}{E}"},
    {"inputs": ["<b>i</b>", "[x](https://evil)"]},
])
def test_an_upload_with_bad_notation_keeps_the_previous_network(notation):
    at = start()
    before = at.session_state["config_text"]
    config = load_preset("note000").to_config()
    config["notation"] = {**config.get("notation", {}), **notation}
    at = upload(at, "notation.json", json.dumps(config).encode())
    assert not at.exception, at.exception
    if at.session_state["config_text"] != before:  # accepted: then it is shown safely (the symbols pass KaTeX)
        assert at.session_state["source"] == "upload"
    else:
        assert at.error, "a refused upload says why"
    assert_no_live_markup(at)
    assert_page_works(at)


def test_a_lone_surrogate_title_is_refused_with_a_message():
    at = start()
    before = at.session_state["config_text"]
    data = config_with(title="x").replace(b'"title": "x"', b'"title": "\\ud800 [l](https://evil)"')
    at = upload(at, "surrogate.json", data)
    assert not at.exception, at.exception
    assert at.session_state["config_text"] == before
    assert at.error
    assert_no_live_markup(at)
    assert_page_works(at)


def test_an_upload_too_large_or_not_utf8_is_refused():
    at = start()
    before = at.session_state["config_text"]
    at = upload(at, "big.json", b" " * 1_000_001)
    assert not at.exception
    assert any("larger than 1 MB" in e.value for e in at.error), [e.value for e in at.error]
    at = upload(at, "latin1.json", config_with(title="x").replace(b'"x"', b'"caf\xe9"'))
    assert not at.exception
    assert any("not UTF-8" in e.value and "0xE9" in e.value for e in at.error), [e.value for e in at.error]
    assert at.session_state["config_text"] == before
    assert_page_works(at)


def test_a_network_that_fails_to_render_never_becomes_current(monkeypatch):
    """Whatever fails while showing a network (here: the renderer, made to fail), the learner gets one line,
    no traceback, and the last good network."""
    import ui.state

    real = ui.state.render_trace

    def failing(trace, *args, **kwargs):
        if trace.network.learning_rate == 0.123:
            raise RuntimeError("boom")
        return real(trace, *args, **kwargs)

    monkeypatch.setattr(ui.state, "render_trace", failing)
    at = start()
    before = at.session_state["config_text"]
    at = upload(at, "fails.json", config_with(learning_rate=0.123))
    assert not at.exception, at.exception
    assert at.session_state["config_text"] == before
    assert any("could not be shown (RuntimeError)" in e.value for e in at.error), [e.value for e in at.error]
    assert not any("Traceback" in e.value or "boom" in e.value for e in at.error)
    assert_page_works(at)


# --- check my work -------------------------------------------------------------------------------------------

def test_pasted_hostile_lines_are_echoed_as_text():
    at = start()
    at.switch_page("pages/check.py").run()
    assert not at.exception
    at.text_area(key="paste").set_value(f"{LINK} = 1\n{IMAGE} = 2\n{HTML} = 3\nh1 = {RULE}\n" + "x" * 5000 + " = 1")
    at.button(key="btn_check").click().run()
    assert not at.exception, at.exception
    assert at.warning
    assert_no_live_markup(at)
    at.switch_page("pages/step_through.py").run()
    assert_page_works(at)
