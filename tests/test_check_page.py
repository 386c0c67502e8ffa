"""The "Check my work" page through AppTest: pasted lines, per-step fields, bad input, the notes, language."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from engine import compute_trace, load_preset
from engine.check import parse_answer_lines
from ui import check_view

APP = str(Path(__file__).resolve().parent.parent / "app.py")

# Note 000 worked by hand, every number as the note (correctly) has it.
NOTE000 = """\
h1 = 1.25
h2 = 3.8
y = 5.05
E = 1/2 (y - t)^2 = 0.55125
dE/dy = 1.05
dE/dw5 = 1.05 × 1.25 = 1.3125
dE/dw6 = 3.99
w5+ = 1 - 0.1 × 1.3125 = 0.86875
w6+ = 0.601
∂E/∂w1 = 1.05
dE/dw2 = 0.525;  dE/dw3 = 1.05;  dE/dw4 = 0.525
w1+ = 0.395  w2+ = 1.4475  w3+ = 2.195  w4+ = 2.9475
y after = 3.1768
η = 0.1
"""


def open_check(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("pages/check.py").run()
    assert not at.exception
    return at


def paste_and_check(at: AppTest, text: str) -> AppTest:
    at.text_area(key="paste").set_value(text)
    at.button(key="btn_check").click().run()
    assert not at.exception
    return at


def table(at: AppTest, column: str) -> pd.DataFrame | None:
    """The table that has `column` (AppTest does not expose a dataframe's key)."""
    return next((d.value for d in at.dataframe if column in d.value.columns), None)


def results(at: AppTest) -> pd.DataFrame:
    frame = table(at, "your value")
    return frame if frame is not None else table(at, "你的答案")


def row(frame: pd.DataFrame, name: str) -> dict:
    rows = frame[frame.iloc[:, 0] == name]
    assert len(rows) == 1, (name, frame.iloc[:, 0].tolist())
    return rows.iloc[0].to_dict()


def open_expander(at: AppTest, key: str) -> AppTest:
    """Open an expander drawn only when open (the notes, the marking rules)."""
    at.session_state[key] = True
    at.run()
    assert not at.exception
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [w.value for w in at.warning] + [i.value for i in at.info]
    parts += [s.value for s in at.subheader] + [c.value for c in at.caption] + [e.value for e in at.success]
    return "\n".join(str(p) for p in parts)


def test_page_runs_in_both_languages():
    at = open_check()
    assert at.title[0].value == "Check my work"
    assert at.button(key="btn_check").label == "Check"
    zh = open_check(lang="zh")
    assert zh.title[0].value == "检查我的演算"
    assert zh.button(key="btn_check").label == "检查"
    assert zh.query_params["lang"] == "zh"


def test_correct_lines_for_note000_are_all_correct():
    at = paste_and_check(open_check(preset="note000"), NOTE000)
    frame = results(at)
    assert len(frame) == 19
    assert set(frame["mark"]) == {"✓ correct"}
    assert "**19 / 19 marks** — no errors" in texts(at)
    assert at.success and "All correct" in at.success[0].value
    assert not at.warning
    assert row(frame, "w5+")["right value"] == "0.86875"


def test_a_wrong_update_is_named_and_explained():
    # w5+ = w5 + η·∂E/∂w5 = 1 + 0.1 × 1.3125 = 1.13125: the update went the wrong way
    at = paste_and_check(open_check(preset="note000"), "dE/dw5 = 1.3125\nw5+ = 1.13125\nw6+ = 0.601")
    frame = results(at)
    wrong = row(frame, "w5+")
    assert wrong["mark"] == "✗ wrong"
    assert wrong["your value"] == "1.13125" and wrong["right value"] == "0.86875"
    assert wrong["likely mistake"] == "update in the wrong direction (w + η·g)"
    assert row(frame, "w6+")["mark"] == "✓ correct"
    assert "**2 / 3 marks** — 1 distinct error" in texts(at)
    assert any(s.value == "First wrong answer: w5+" for s in at.subheader)
    assert "the update went the wrong way" in texts(at)
    assert any("w_5^{+}" in x.value and "0.86875" in x.value and "1.3125" in x.value for x in at.latex)
    assert len(at.get("plotly_chart")) == 1  # the diagram, with the step's chain lit up


def test_an_error_carried_forward_is_marked_carried():
    # y = 5.15 is wrong; E = 1/2 (5.15 - 4)^2 = 0.66125 follows from it
    at = paste_and_check(open_check(preset="note000"), "y = 5.15\nE = 0.66125")
    frame = results(at)
    assert row(frame, "y")["mark"] == "✗ wrong"
    carried = row(frame, "E")
    assert carried["mark"] == "↪ carried"
    assert carried["likely mistake"] == "carried forward from y"
    # one distinct error; E follows from it and costs nothing more
    assert "**1 / 2 marks** — 1 distinct error; 1 carried forward (no further penalty)" in texts(at)
    assert "your own earlier y = 5.15 \\(follow-through\\)" in texts(at)  # as Markdown: the text escaped


def test_unknown_names_and_non_numbers_are_named_and_the_rest_is_checked():
    at = paste_and_check(open_check(preset="note000"), "foo = 1\nh1 = abc\nh2 = 3.8\ny =\nw5 + 0.1")
    assert len(at.warning) == 1
    message = at.warning[0].value
    assert "line 1: unknown name 'foo'" in message
    assert "h1, h2, y" in message  # names that exist
    assert "line 2: h1: 'abc' is not a number" in message
    assert "line 4: y has no number after '='" in message
    assert "line 5:" in message and "has no '='" in message
    frame = results(at)
    assert frame.iloc[:, 0].tolist() == ["h2"]
    assert row(frame, "h2")["mark"] == "✓ correct"


def test_only_bad_lines_give_messages_and_no_table():
    at = paste_and_check(open_check(), "foo = 1")
    assert at.warning and results(at) is None
    empty = paste_and_check(open_check(), "")
    assert any("Nothing to check yet" in i.value for i in empty.info)


def test_the_names_list_has_every_step():
    at = open_check(preset="note000")
    names = table(at, "step id")
    assert {"w5+", "∂E/∂w5", "η", "y after"} <= set(names["name"])


def test_per_step_fields():
    at = open_check(preset="note000")
    keys = {w.key for w in at.text_input}
    assert {"ans_a:l1:n1:s1", "ans_dE_dw:l2:n1:k1", "ans_new_w:l2:n1:k1", "ans_loss_after"} <= keys
    assert "ans_da_dz:l2:n1:s1" not in keys  # note 000 is big: the usual quantities only, until the toggle
    assert "ans_z:l1:n1:s1" not in keys  # h1 names a (and z, equal here) once
    at.text_input(key="ans_a:l1:n1:s1").set_value("1.25")
    at.text_input(key="ans_new_w:l2:n1:k1").set_value("0.86875")
    at.text_input(key="ans_new_w:l2:n1:k2").set_value("0.6o1")
    at.button(key="btn_check").click().run()
    assert not at.exception
    frame = results(at)
    assert frame.iloc[:, 0].tolist() == ["h1", "w5+"]
    assert set(frame["mark"]) == {"✓ correct"}
    assert "Field w6+: “0.6o1” is not a number" in at.warning[0].value
    at.toggle(key="chk_all_steps").set_value(True).run()
    assert "ans_da_dz:l2:n1:s1" in {w.key for w in at.text_input}
    assert at.text_input(key="ans_a:l1:n1:s1").value == "1.25"  # kept


def test_fields_and_lines_are_marked_together_and_changes_ask_for_check_again():
    at = open_check(preset="note000")
    at.text_input(key="ans_a:l1:n1:s1").set_value("1.25")
    paste_and_check(at, "w5+ = 1.13125")
    assert results(at).iloc[:, 0].tolist() == ["h1", "w5+"]
    at.text_area(key="paste").set_value("w5+ = 0.86875").run()
    assert any("press Check again" in i.value for i in at.info)
    assert row(results(at), "w5+")["mark"] == "✗ wrong"  # the marks stay until Check is pressed
    at.button(key="btn_check").click().run()
    assert row(results(at), "w5+")["mark"] == "✓ correct"


def test_tolerance():
    at = paste_and_check(open_check(preset="note000"), "w5+ = 0.8")
    assert row(results(at), "w5+")["mark"] == "✗ wrong"
    at.number_input(key="tolerance").set_value(0.1)
    at.button(key="btn_check").click().run()
    assert not at.exception
    assert row(results(at), "w5+")["mark"] == "✓ correct"


def test_another_preset_and_a_batch():
    at = open_check()
    at.selectbox(key="chk_preset").set_value("note002").run()
    assert not at.exception
    assert "ans_a:l1:n1:s2" in {w.key for w in at.text_input}
    # note 002 prints δ_o of sample 2 as -0.04267; the right value is -0.04257 (two digits swapped)
    paste_and_check(at, "δ_o[2] = -0.04267\ndelta_o = 0.1")
    frame = results(at)
    assert row(frame, "δ(2)_1[2]")["likely mistake"] == "digits swapped or mistyped"
    assert "is different for each sample" in at.warning[0].value


def test_the_network_from_the_step_through_page():
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.session_state["exp_editor"] = True
    at.run()
    version = at.session_state["editor_version"]
    at.session_state[f"grid_w_l2_v{version}"] = {"edited_rows": {0: {"h₁": "2"}}, "added_rows": [],
                                                 "deleted_rows": []}
    at.run()  # w5 = 2: y = 2 × 1.25 + 3.8 = 6.3
    at.switch_page("pages/check.py").run()
    assert not at.exception
    assert at.selectbox(key="chk_preset").value == check_view.CURRENT
    paste_and_check(at, "y = 6.3\nw5 = 2")
    assert set(results(at)["mark"]) == {"✓ correct"}


def test_check_the_notes():
    at = open_check()
    assert table(at, "printed numbers") is None  # computed only when open
    open_expander(at, "tab_notes")
    summary = table(at, "printed numbers")
    assert list(summary["note"])[:3] == ["note000", "note001", "note002"]
    assert "note000: 1 slip in 24 printed numbers (1 wrong)" in texts(at)
    slips = table(at, "the note printed")
    sign = slips.iloc[0].to_dict()
    assert (sign["the note printed"], sign["right value"], sign["mark"], sign["likely mistake"]) == \
        ("-1.05", "1.05", "✗ wrong", "sign flipped")
    assert "the derivation under it" in sign["where in the note"]
    assert "the sign is flipped" in texts(at)
    at.segmented_control(key="notes_preset").set_value("note002").run()
    assert not at.exception
    assert "note002: 9 slips in 18 printed numbers (7 wrong, 2 carried)" in texts(at)
    slips = table(at, "the note printed")
    assert len(slips) == 9
    assert "0.375" in set(slips["the note printed"]) and "0.3775" in set(slips["right value"])
    assert "↪ carried" in set(slips["mark"])
    at.segmented_control(key="notes_preset").set_value("note003").run()  # a slip in an experiment the note runs
    slips = table(at, "the note printed")
    assert slips.iloc[0]["where in the note"].startswith("[Experiment 1]")
    assert slips.iloc[0]["likely mistake"] == "two weights mixed up"


def test_language_toggle_changes_the_page():
    at = paste_and_check(open_check(preset="note000"), "w5+ = 1.13125\nfoo = 1")
    assert "**0 / 1 marks** — 1 distinct error" in texts(at)
    at.segmented_control(key="lang").set_value("zh").run()
    assert not at.exception
    assert at.title[0].value == "检查我的演算"
    assert at.button(key="btn_check").label == "检查"
    assert at.text_area(key="paste").value == "w5+ = 1.13125\nfoo = 1"  # the answers stay
    assert at.selectbox(key="chk_preset").value == "note000"
    frame = results(at)
    assert list(frame.columns) == ["名称", "你的答案", "正确值", "判定", "可能的错误"]
    assert row(frame, "w5+")["判定"] == "✗ 错误"
    assert row(frame, "w5+")["可能的错误"] == "更新方向反了（w + η·g）"
    assert "第 2 行：这个网络里没有 'foo'" in at.warning[0].value
    assert any(s.value == "第一个错误：w5+" for s in at.subheader)
    assert "更新方向反了" in texts(at)
    assert at.query_params["lang"] == "zh"


@pytest.mark.parametrize("text, en, zh", [
    ("foo = 1", "unknown name 'foo'", "这个网络里没有 'foo'"),
    ("h1 = 1", "did you mean", "是不是"),
    ("a_h1 = 1", "is different for each sample", "每个样本各不相同"),
    ("dE/dw5[7] = 1", "the batch has 2", "这一批共 2 个"),
    ("w5 after = 1", "only the forward pass and the loss", "更新之后只会重新计算"),
    ("w5+ 0.9", "has no '='", "没有“=”"),
    ("= 0.9", "no name before", "前面没有名称"),
    ("w5+ = x", "is not a number", "不是数字"),
    ("w5+ =", "has no number after", "后面没有数字"),
    ("w5+ = 1\nw5+ = 2", "was already given on line 1", "在第 1 行已经给出"),
])
def test_every_engine_problem_is_in_both_languages(text, en, zh):
    trace = compute_trace(load_preset("note002"))
    _, shown_en = parse_answer_lines(text, trace, "en")
    _, shown_zh = parse_answer_lines(text, trace, "zh")
    assert any(en in s for s in shown_en), shown_en
    assert any(zh in s for s in shown_zh), shown_zh
    assert all(s.startswith("第 ") for s in shown_zh)


def test_every_mistake_key_has_words_in_both_languages():
    from engine.check import MISTAKES, RULES, words
    from ui.i18n import STRINGS

    for key in [*MISTAKES, *RULES]:  # the labels are engine.check's table (mistakes.json)
        assert words(key, "label", "en") and words(key, "label", "zh"), key
    for key in ("carried", "none"):
        entry = STRINGS[f"mistake_{key}"]
        assert entry["en"] and entry["zh"], key


# note 000 with h1 rounded to 1.3 and carried through (issue 11): 1.3 + 3.8 = 5.1, E = 1/2 (5.1 - 4)^2 = 0.605,
# dE/dy = 1.1, dE/dw5 = 1.1 x 1.3 = 1.43, w5+ = 1 - 0.143 = 0.857, dE/dw1 = 1.1, w1+ = 0.5 - 0.11 = 0.39
ROUNDED_EARLY = "h1 = 1.3\nh2 = 3.8\ny = 5.1\nE = 0.605\ndE/dy = 1.1\ndE/dw5 = 1.43\nw5+ = 0.857\ndE/dw1 = 1.1\nw1+ = 0.39"


def test_rounded_too_early_and_the_score_by_distinct_errors():
    at = paste_and_check(open_check(preset="note000"), ROUNDED_EARLY)
    frame = results(at)
    assert row(frame, "h1")["mark"] == "✗ wrong" and row(frame, "h1")["likely mistake"] == "rounded too early"
    for name in ("E", "∂E/∂w5", "w5+"):  # off the right value, exactly what h1 = 1.3 gives
        assert row(frame, name)["mark"] == "↪ carried", name
    for name in ("h2", "y", "∂E/∂y", "∂E/∂w1", "w1+"):  # right at their own precision (0.39: 0.395 cut off)
        assert row(frame, name)["mark"] == "✓ correct", name
    assert "**8 / 9 marks** — 1 distinct error; 3 carried forward (no further penalty)" in texts(at)
    assert any(s.value == "First wrong answer: h1" for s in at.subheader)
    assert "you wrote h1 = 1.3 with 2 significant figures; later answers need at least 3" in texts(at)
    at.segmented_control(key="lang").set_value("zh").run()
    assert not at.exception
    assert "**得分 8 / 9** — 1 个独立错误；3 个带错（不再扣分）" in texts(at)
    assert row(results(at), "h1")["可能的错误"] == "过早四舍五入"


def test_last_digit_mode_and_too_few_figures():
    # w5+ = 0.86875: 0.8689 is one off in the last digit; 0.03 for dE/dw5 (1.3125) is not it at any reading,
    # and h1 = 1 reads as 1.25 only with 1 significant figure
    at = paste_and_check(open_check(preset="note000"), "w5+ = 0.8689\nh1 = 1")
    assert row(results(at), "w5+")["mark"] == "✗ wrong"
    assert row(results(at), "h1")["likely mistake"] == "too few significant figures"
    assert at.selectbox(key="chk_accept").value == "strict"
    at.selectbox(key="chk_accept").set_value("last_digit").run()
    assert any("press Check again" in i.value for i in at.info)
    at.button(key="btn_check").click().run()
    assert not at.exception
    assert row(results(at), "w5+")["mark"] == "✓ correct"


def test_the_marking_rules_are_explained_in_both_languages():
    at = open_check()
    assert table(at, "note for the teacher") is None  # drawn only when open
    open_expander(at, "chk_rules")
    help_text = texts(at)
    for words in ("Rounded too early", "Follow-through", "One penalty per distinct error", "made the step trivial",
                  "last digit ±1", "too few significant figures", "Tolerance"):
        assert words in help_text, words
    models = table(at, "note for the teacher")
    assert {"rounded too early", "only one path where paths meet", "decimal point in the wrong place"} <= \
        set(models["likely mistake"])
    at.segmented_control(key="lang").set_value("zh").run()
    open_expander(at, "chk_rules")  # NOTE: its label changed with the language: opened again, like the notes'
    zh = texts(at)
    for words in ("过早四舍五入", "带错计分", "每个独立错误只扣一次分", "不给带错分", "末位 ±1", "有效数字太少", "偏导"):
        assert words in zh, words
    assert "小数点位置错了" in set(table(at, "给老师的说明")["可能的错误"])
