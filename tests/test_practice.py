"""Exercises in the app (issue 12), through AppTest: `?exercise=ID&seed=N` on Step through, the Practice page, its
printed worksheets and class packs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_app_hostile import LIVE, assert_no_live_markup, config_with, start, upload

from engine import compute_trace, load_preset, noteview
from engine.exercise import MAX_SEED, generate, seed_for
from engine.render import RenderOptions
from engine.worksheet import class_pack, solution_steps, worksheet
from ui import practice, safe, state

APP = str(Path(__file__).resolve().parent.parent / "app.py")
HOSTILE_NAMES = ["[x](https://evil)", "<b>x</b>", r"$\input{x}$"]
BLANK = re.compile(r"^\*\*(\d+)\.\*\* \$.* =\$ (?:\\_){16}$", re.M)  # a numbered blank line of a worksheet
NUMBERED = re.compile(r"^\*\*(\d+)\.\*\* ", re.M)


def practice_page(**query: str) -> AppTest:
    """A session whose first run is the Practice page, with `query` in the URL."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    at.switch_page("pages/practice.py").run()
    assert not at.exception, at.exception
    return at


def current(at: AppTest):
    return state.network_for(at.session_state["config_text"])


def header(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("#### "))


def shown_sheet(at: AppTest) -> str:
    """The worksheet the print view shows (its one Markdown element that starts with a title)."""
    (sheet,) = [m.value for m in at.markdown if m.value.startswith("# ")]
    return sheet


# --- ?exercise=ID&seed=N ----------------------------------------------------------------------------------------

def test_an_exercise_link_opens_that_exercise_and_keeps_it_in_the_url():
    at = start(exercise="note002", seed="7")
    assert not at.exception, at.exception
    expected = generate("note002", 7)
    network = current(at)
    assert network.layers[0].weights == expected.layers[0].weights
    assert network.layers[1].weights[0][1] == expected.layers[1].weights[0][1]
    assert network.samples == expected.samples
    assert network.layers[0].weights != load_preset("note002").layers[0].weights
    assert at.session_state["base_source"] == "exercise"
    assert (at.query_params["exercise"], at.query_params["seed"], at.query_params["v"]) == ("note002", "7", "1")
    assert "preset" not in at.query_params
    assert header(at).startswith("#### Exercise: Note 002") and header(at).endswith("· seed 7")
    assert not at.warning
    # an exercise of a note follows the note's order (engine.noteview, from meta["exercise"]["template"])
    assert at.session_state["step_id"] == noteview.view_index(compute_trace(expected), "note").ids[0]


def test_an_exercise_link_keeps_its_step_and_language():
    trace = compute_trace(generate("note000", 3))
    step = noteview.view_index(trace, "note").ids[4]
    at = start(exercise="note000", seed="3", step=step, lang="zh")
    assert at.session_state["step_id"] == step
    assert header(at).startswith("#### 练习：") and header(at).endswith("· 种子 3")
    assert at.query_params["step"] == step and at.query_params["lang"] == "zh"


@pytest.mark.parametrize("seed", ["-1", str(MAX_SEED + 1), "seven", "1.5", "", "9" * 10_000, " 0x10 "])
def test_a_bad_seed_gives_one_notice_and_the_default_preset(seed):
    at = start(exercise="note002", seed=seed)
    assert not at.exception, at.exception
    (warning,) = at.warning
    assert "seed=" in warning.value and "note000" in warning.value
    assert len(warning.value) < 600  # a 10,000-digit seed is cut short
    assert at.session_state["base_source"] == "preset" and at.session_state["preset_id"] == "note000"
    assert at.query_params["preset"] == "note000"
    assert "exercise" not in at.query_params and "seed" not in at.query_params


def test_a_bad_template_gives_one_notice_in_chinese_too():
    at = start(exercise="note999", seed="1", lang="zh")
    (warning,) = at.warning
    assert "note999" in warning.value and "练习模板" in warning.value
    assert at.session_state["preset_id"] == "note000" and at.session_state["base_source"] == "preset"
    at = start(exercise="[x](https://evil)", seed="1")
    (warning,) = at.warning
    assert not LIVE.search(warning.value), warning.value


def test_a_bad_exercise_falls_back_to_the_preset_of_the_link():
    at = start(exercise="nope", preset="note001")
    assert at.session_state["preset_id"] == "note001" and len(at.warning) == 1


def test_a_name_and_an_assignment_give_the_students_seed():
    at = start(exercise="note001", name=" ada  LOVELACE ", assignment="hw3")
    assert not at.exception and not at.warning
    seed = seed_for("Ada Lovelace", "hw3")
    assert current(at).layers == generate("note001", seed).layers
    assert at.query_params["seed"] == str(seed)
    assert "name" not in at.query_params and "assignment" not in at.query_params  # no names in links
    assert header(at).endswith(f"· seed {seed} · ada LOVELACE")


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_hostile_name_in_the_link_is_shown_as_text(name):
    at = start(exercise="note002", name=name, assignment="hw1")
    assert not at.exception, at.exception
    assert at.session_state["base_source"] == "exercise"
    assert_no_live_markup(at)
    assert header(at).endswith(safe.text(name, 80))


def test_a_bad_name_gives_a_notice():
    at = start(exercise="note002", name="x" * 81)
    (warning,) = at.warning
    assert "81" in warning.value and at.session_state["base_source"] == "preset"


def test_an_exercise_without_a_seed_gets_fresh_numbers_that_the_link_keeps():
    at = start(exercise="note003")
    seed = int(at.query_params["seed"])
    assert current(at).layers == generate("note003", seed).layers and not at.warning


def test_another_exercise_format_version_is_said_but_the_exercise_opens():
    at = start(exercise="note000", seed="3", v="99")
    (warning,) = at.warning
    assert "99" in warning.value
    assert at.session_state["base_source"] == "exercise" and at.query_params["v"] == "1"


def test_reset_in_the_editor_goes_back_to_the_exercise_and_a_preset_leaves_it():
    at = start(exercise="note000", seed="3")
    text = at.session_state["config_text"]
    at.session_state["exp_editor"] = True
    at.run()
    at.button(key="btn_reset").click().run()
    assert at.session_state["config_text"] == text and at.session_state["base_source"] == "exercise"
    at.selectbox(key="sel_preset").set_value("note001").run()
    assert at.session_state["base_source"] == "preset" and at.query_params["preset"] == "note001"
    assert "exercise" not in at.query_params and "seed" not in at.query_params


# --- the Practice page ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang, title, button", [("en", "Practice", "Print worksheet"), ("zh", "练习", "打印练习题")])
def test_the_practice_page_renders_in_both_languages(lang, title, button):
    at = practice_page(lang=lang)
    assert at.title[0].value == title
    assert button in [b.label for b in at.button]
    assert at.query_params["lang"] == lang
    other = "zh" if lang == "en" else "en"
    at.segmented_control(key="lang").set_value(other).run()
    assert not at.exception, at.exception
    assert at.title[0].value == ("练习" if other == "zh" else "Practice")


def choose(at: AppTest, template: str, seed: int) -> AppTest:
    at.selectbox(key="pr_template").set_value(template).run()
    at.number_input(key="pr_seed").set_value(seed).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("key", [False, True])
def test_the_printed_sheet_has_one_numbered_line_per_solution_step(key):
    at = choose(practice_page(), "note002", 7)
    at.button(key="pr_print_key" if key else "pr_print_sheet").click().run()
    assert not at.exception, at.exception
    sheet = shown_sheet(at)
    steps = solution_steps(compute_trace(generate("note002", 7)), RenderOptions(lang="en", decimals=4))
    numbers = [int(n) for n in (NUMBERED if key else BLANK).findall(sheet)]
    assert numbers == list(range(1, len(steps) + 1))
    assert sheet.strip() == safe.math_markdown(worksheet(generate("note002", 7), key=key)).strip()
    at.button(key="pr_back").click().run()
    assert not at.exception and at.title[0].value == "Practice"


def test_open_and_fill_in_make_the_exercise_current_on_step_through():
    at = choose(practice_page(), "note001", 42)
    at.button(key="pr_open").click().run()
    assert not at.exception, at.exception
    assert at.session_state["base_source"] == "exercise" and at.session_state["_fill_mode"] is False
    assert current(at).layers == generate("note001", 42).layers
    assert header(at).endswith("· seed 42")  # Step through is the page now
    at.switch_page("pages/practice.py").run()
    at.button(key="pr_fill").click().run()
    assert at.session_state["_fill_mode"] is True and at.query_params["mode"] == "fill"
    assert at.query_params["exercise"] == "note001" and at.query_params["seed"] == "42"


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_hostile_student_name_on_the_practice_page_is_shown_as_text(name):
    at = practice_page()
    at.segmented_control(key="pr_by").set_value("name").run()
    at.text_input(key="pr_name").input(name).run()
    at.text_input(key="pr_assignment").input("hw <i>1</i> www.evil.example").run()
    assert not at.exception, at.exception
    assert any(f"{seed_for(name, 'hw <i>1</i> www.evil.example')}" in c.value for c in at.caption)
    at.button(key="pr_print_sheet").click().run()
    assert not at.exception, at.exception
    assert_no_live_markup(at)
    sheet = shown_sheet(at)
    assert "https://" not in sheet and "www." not in sheet and "<b>" not in sheet and "<i>" not in sheet


def test_a_students_link_fills_in_the_name_and_the_pack_needs_no_name():
    at = practice_page(exercise="note001", name="Ada", assignment="hw3")
    assert at.segmented_control(key="pr_by").value == "name"
    assert (at.text_input(key="pr_name").value, at.text_input(key="pr_assignment").value) == ("Ada", "hw3")
    assert any(c.value == f"Seed of Ada: {seed_for('Ada', 'hw3')}" for c in at.caption)
    at.text_input(key="pr_name").input("").run()
    assert [b for b in at.button if b.key == "pr_open"] == []  # no exercise without a name ...
    assert at.text_area(key="pk_names") is not None  # ... but the class pack is there


def test_the_network_on_step_through_can_be_the_template():
    at = start()
    at = upload(at, "mine.json", config_with(title="My own [net](https://evil)"))
    assert at.session_state["source"] == "upload"
    at.switch_page("pages/practice.py").run()
    assert "The network on Step through now (opened from a file)" in at.selectbox(key="pr_template").options
    at.selectbox(key="pr_template").set_value(practice.CURRENT).run()
    at.number_input(key="pr_seed").set_value(5).run()
    assert not at.exception, at.exception
    assert_no_live_markup(at)
    at.button(key="pr_open").click().run()
    assert at.session_state["base_source"] == "exercise"
    assert "exercise" not in at.query_params  # a network of one's own cannot be put in a link
    assert_no_live_markup(at)


# --- class packs -------------------------------------------------------------------------------------------------

def test_the_pack_downloads_have_every_student():
    job = practice.Job("note002", ("Ada Lovelace", "李雷", "[x](https://evil)"), "hw3")
    sheets, keys = practice.documents(job, "latex", "en")
    assert sheets.count(r"\section*{") == 3 and keys.count(r"\section*{") == 3
    assert (sheets, keys) == class_pack("note002", ["Ada Lovelace", "李雷", "[x](https://evil)"], assignment="hw3")
    seeds = practice.Job("note000", tuple(range(10, 40)))
    sheets, keys = practice.documents(seeds, "markdown", "zh")
    assert sheets.count("\n---\n") == 29 and keys.count("\n---\n") == 29
    assert "种子：** 39" in sheets


def test_the_pack_panel_counts_names_and_refuses_too_many():
    at = practice_page()
    at.text_area(key="pk_names").input("Ada\n\n  李雷 \n[x](https://evil)\n").run()
    assert not at.exception, at.exception
    assert any(c.value == "3 students" for c in at.caption)
    assert not at.get("download_button")[-1].proto.disabled
    assert_no_live_markup(at)
    at.text_area(key="pk_names").input("\n".join(f"s{i}" for i in range(201))).run()
    assert any("201" in w.value for w in at.warning)
    assert at.button(key="pr_pack_print_sheets").disabled
    at.text_area(key="pk_names").input("ok\n" + "y" * 81).run()
    assert any("line 2" in w.value for w in at.warning)


def test_parse_names_keeps_each_line_as_text():
    names, problems = practice.parse_names("  Ada   Lovelace \n\n<b>x</b>\n\u202eevil\n", "en")
    assert names == ["Ada Lovelace", "<b>x</b>"] and len(problems) == 1 and problems[0].startswith("line 4")


def test_a_pack_prints_in_the_browser_a_student_a_page():
    at = practice_page()
    at.selectbox(key="pr_template").set_value("note000").run()
    at.segmented_control(key="pk_by").set_value("seeds").run()
    at.number_input(key="pk_count").set_value(3).run()
    at.button(key="pr_pack_print_keys").click().run()
    assert not at.exception, at.exception
    sheet = shown_sheet(at)
    assert sheet.count("\n---\n") == 2 and sheet.count("# Answer key") == 3


# --- safe.math_markdown ------------------------------------------------------------------------------------------

def test_math_markdown_breaks_links_in_text_only():
    md = ("**Name:** \\[x\\](https://evil) www.evil.example a@b.c \\$https://escaped\\$ $\\text{http://m}$\n\n"
          "$$\nz = \\text{www.m}\n$$\n\nafter http://x")
    out = safe.math_markdown(md)
    j = safe.WORD_JOINER
    assert f"https{j}://evil" in out and f"www{j}.evil" in out and f"a@{j}b.c" in out
    assert f"\\$https{j}://escaped\\$" in out  # an escaped $ starts no math
    assert "$\\text{http://m}$" in out and "\\text{www.m}" in out  # math untouched
    assert out.endswith(f"after http{j}://x")
    assert safe.math_markdown("plain") == "plain"


def test_every_preset_makes_a_full_class_pack_and_a_larger_pack_is_refused(monkeypatch):
    from engine import preset_ids
    from engine.limits import MAX_PACK

    assert all(practice.template_steps(p) * MAX_PACK <= practice.MAX_PACK_STEPS for p in preset_ids())
    monkeypatch.setattr(practice, "MAX_PACK_STEPS", 100)  # note000: 46 steps a student -> 2 students at most
    at = practice_page()
    at.selectbox(key="pr_template").set_value("note000").run()
    at.text_area(key="pk_names").input("a\nb\nc").run()
    assert any("at most 2 students" in w.value for w in at.warning)
    pack = [b for b in at.get("download_button") if b.proto.id.endswith(("pr_pack_sheets", "pr_pack_keys"))]
    assert len(pack) == 2 and all(b.proto.disabled for b in pack)


def test_a_large_pack_is_made_again_rather_than_kept(monkeypatch):
    monkeypatch.setattr(practice, "PACK_CACHE_BYTES", 10)
    job = practice.Job("note003", (1, 2))
    first = practice.documents(job, "markdown", "en")
    assert state.UI_CACHE.get(job.cache_key("markdown", "en")) is None
    assert practice.documents(job, "markdown", "en") == first


def test_an_exercise_is_checked_against_its_own_numbers():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["exercise"] = "note000"
    at.query_params["seed"] = "3"
    at.run()
    at.switch_page("pages/check.py").run()
    assert not at.exception
    box = at.selectbox(key="chk_preset")
    assert box.value == "current"  # the exercise on Step through, not its template's numbers
    assert "an exercise with fresh numbers" in box.options[-1]
