"""Fill-in mode in Step through (ui/fillin.py) through AppTest: the browser's fill reports, the marks sent back.

Expected values are the note's and hand arithmetic (note 000: x1 = 1, x2 = 0.5, w1..w6 = 0.5, 1.5, 2.3, 3, 1, 1, t = 4,
all neurons linear: h1 = 0.5·1 + 1.5·0.5 = 1.25, h2 = 2.3·1 + 3·0.5 = 3.8, y = h1 + h2 = 5.05, E = ½(5.05 − 4)² = 0.55125).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")
H1, H2, Y, E = "z:l1:n1:s1", "z:l1:n2:s1", "z:l2:n1:s1", "sample_loss:s1"
_N = itertools.count(1)


def start(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def elements(at: AppTest) -> dict:
    """The page's components by name: "stepper" (the whole trace) and, in fill-in mode, "stepper_fill" (the marks)."""
    return {e.proto.component_name.rsplit(".", 1)[-1]: e for e in at.get("bidi_component")}


def stepper_data(at: AppTest) -> dict:
    return json.loads(elements(at)["stepper"].proto.json)


def marks(at: AppTest) -> dict:
    """What the browser gets after an answer: the fill element's data."""
    return json.loads(elements(at)["stepper_fill"].proto.json)


def fill(at: AppTest, raw: object = None, **value) -> int:
    """What the stepper sends when the learner presses Enter (or Reveal, or Start again): the component's state
    "fill" (one rerun). Returns the report's number `n`; `raw` sends that value as it is (a forged report)."""
    stepper = elements(at)["stepper"]
    widgets = at._tree.get_widget_states()
    widget = widgets.widgets.add()
    widget.id = stepper.proto.id
    n = next(_N)
    report = raw if raw is not None else {"seq": at.session_state["_stepper_seq"], "n": n, **value}
    widget.json_value = json.dumps({"step": None, "want": None, "fill": report})
    at._run(widgets)
    assert not at.exception, at.exception
    return n


def result(at: AppTest, step_id: str) -> dict:
    return marks(at)["results"][step_id]


def test_the_mode_comes_from_the_url_and_the_switch_and_goes_into_the_url():
    at = start(preset="note000")
    assert "stepper_fill" not in elements(at) and stepper_data(at)["fill"] is None
    at.toggle(key="fill_mode").set_value(True).run()
    assert not at.exception
    assert at.query_params["mode"] == "fill"
    net = stepper_data(at)["fill"]
    assert isinstance(net, str) and marks(at)["net"] == net  # the marks belong to the network the stepper shows
    assert marks(at)["score"]["total"] == 46  # note 000's trace: 46 computed steps (the givens are not asked)
    at.toggle(key="fill_mode").set_value(False).run()
    assert "mode" not in at.query_params and "stepper_fill" not in elements(at)
    at = start(preset="note000", mode="fill", present="1")  # projected for a class: allowed
    assert at.session_state["_fill_mode"] is True and stepper_data(at)["present"] is True
    assert isinstance(stepper_data(at)["fill"], str)
    at = start(preset="note000", mode="<b>x</b>")
    assert any("mode=" in w.value and "fill" in w.value for w in at.warning)
    assert at.session_state["_fill_mode"] is False and "<b>" not in str(at.query_params.get("mode"))


def test_the_hint_is_the_formula_in_symbols():
    at = start(preset="note000", mode="fill")
    steps = {s["id"]: s for s in json.loads(stepper_data(at)["payload"])["steps"]}
    assert steps[H1]["hint"] == "h_1 = w_1 x_1 + w_2 x_2"
    assert steps[Y]["hint"] == "y = w_5 h_1 + w_6 h_2"
    assert "1.25" not in steps[H1]["hint"]
    words = stepper_data(at)["words"]
    assert words["fill_hint"] == "Hint" and words["fill_reveal"] == "Reveal" and "{correct}" in words["fill_score"]


def test_a_right_value_is_correct_at_once():
    at = start(preset="note000", mode="fill")
    n = fill(at, id=H1, text="1.25")
    got = marks(at)
    assert got["ack"] == n and got["error"] is None
    assert got["results"][H1]["verdict"] == "correct" and got["results"][H1]["given"] == "1.25"
    assert (got["score"]["correct"], got["score"]["wrong"], got["score"]["revealed"]) == (1, 0, 0)
    fill(at, id=H2, text=" 3,8 ")  # a decimal comma, spaces around it
    assert result(at, H2)["verdict"] == "correct" and result(at, H2)["given"] == "3,8"


def test_a_known_mistake_is_named():
    at = start(preset="note000", mode="fill")
    fill(at, id=E, text="1.1025")  # (5.05 - 4)^2 = 1.1025: the 1/2 of E dropped
    got = result(at, E)
    assert got["verdict"] == "wrong" and got["mistake"] == "factor_half"
    assert "1.1025" in got["explanation"] and "1/2" in got["explanation"]
    at = start(preset="note000", mode="fill", lang="zh")
    fill(at, id=E, text="1.1025")
    assert result(at, E)["mistake"] == "factor_half" and "平方误差" in result(at, E)["explanation"]


def test_an_error_carried_forward_is_carried():
    at = start(preset="note000", mode="fill")
    fill(at, id=H1, text="1.35")  # wrong: h1 = 1.25
    assert result(at, H1)["verdict"] == "wrong"
    fill(at, id=Y, text="5.15")  # y = w5·h1 + w6·h2 = 1·1.35 + 1·3.8 = 5.15 from the learner's own h1
    assert result(at, Y)["verdict"] == "carried"
    assert result(at, H1)["verdict"] == "wrong"  # every answer so far is sent back, marked together
    score = marks(at)["score"]
    assert (score["correct"], score["carried"], score["wrong"]) == (0, 1, 1)


def test_reveal_counts_as_revealed_and_start_again_clears():
    at = start(preset="note000", mode="fill")
    fill(at, id=H1, text="1.25")
    fill(at, id=H2, reveal=True)
    got = marks(at)
    assert got["revealed"] == [H2] and H2 not in got["results"]
    assert (got["score"]["correct"], got["score"]["revealed"]) == (1, 1)
    fill(at, id=H2, text="3.8")  # revealed already: one answer per step
    assert H2 not in marks(at)["results"]
    fill(at, id=H1, text="9")  # answered already: the first answer stays
    assert result(at, H1)["given"] == "1.25"
    epoch = marks(at)["epoch"]
    fill(at, restart=True)
    got = marks(at)
    assert got["results"] == {} and got["revealed"] == [] and got["epoch"] == epoch + 1
    assert (got["score"]["correct"], got["score"]["revealed"]) == (0, 0)
    fill(at, id=H1, text="1.3500")  # after starting again the step can be answered anew
    assert result(at, H1)["verdict"] == "wrong"


def test_bad_input_gets_one_message_and_keeps_the_answers():
    at = start(preset="note000", mode="fill")
    fill(at, id=H1, text="1.25")
    kept = marks(at)["results"]
    for text, words in (("", "Type a number"), ("   ", "Type a number"), ("abc", "'abc' is not a number"),
                        ("1e999", "not a finite number"), ("NaN", "not a finite number"),
                        ("2+2", "is not a number"), ("x" * 10_000, "10000 characters")):
        n = fill(at, id=H2, text=text)
        got = marks(at)
        assert got["ack"] == n and got["error"]["id"] == H2, text[:20]
        assert words in got["error"]["text"], (text[:20], got["error"]["text"])
        assert len(got["error"]["text"]) < 200
        assert got["results"] == kept, text[:20]
    at2 = start(preset="note000", mode="fill", lang="zh")
    fill(at2, id=H2, text="abc")
    assert "不是数字" in marks(at2)["error"]["text"]


def test_answers_per_network_are_bounded(monkeypatch):
    from ui import fillin

    monkeypatch.setattr(fillin, "MAX_FILLED", 2)
    at = start(preset="note000", mode="fill")
    fill(at, id=H1, text="1.25")
    fill(at, id=H2, reveal=True)
    fill(at, id=Y, text="5.05")
    assert "At most 2 answers" in marks(at)["error"]["text"] and Y not in marks(at)["results"]
    fill(at, restart=True)
    fill(at, id=Y, text="5.05")
    assert result(at, Y)["verdict"] == "correct"


def test_forged_and_stale_reports_are_ignored():
    at = start(preset="note000", mode="fill")
    fill(at, id=H1, text="1.25")
    kept = marks(at)["results"]
    seq = at.session_state["_stepper_seq"]
    for forged in ({"id": "no:such:step", "text": "1"}, {"id": "w:l1:n1:k1", "text": "0.5"},  # a given is not asked
                   {"id": ["z:l1:n2:s1"], "text": "3.8"}, {"id": "x" * 5000, "text": "1"}, {"id": H2, "text": 3.8},
                   {"id": H2, "text": {"a": 1}}, {"id": H2, "reveal": "yes"}, {"restart": 1}):
        fill(at, **forged)
        assert marks(at)["results"] == kept and marks(at)["revealed"] == [], forged
        assert marks(at)["error"] is None, forged
    fill(at, raw={"id": H2, "text": "3.8", "seq": seq - 1, "n": 10 ** 6})  # made before the server moved the learner
    assert H2 not in marks(at)["results"] and marks(at)["ack"] == 10 ** 6
    for raw in ("z:l1:n2:s1", 3, ["x"]):  # not a report at all
        fill(at, raw=raw)
        assert marks(at)["results"] == kept


def test_reports_outside_fill_mode_are_ignored():
    at = start(preset="note000")
    fill(at, id=H1, text="1.25")
    at.toggle(key="fill_mode").set_value(True).run()
    assert marks(at)["results"] == {}


def test_an_answer_does_not_resend_the_trace():
    at = start(preset="note002", mode="fill")
    before = elements(at)["stepper"].proto.json
    fill(at, id=H1, text="0.3775")  # note 002: z1 = 0.15·0.05 + 0.2·0.1 + 0.35 = 0.3775
    assert result(at, H1)["verdict"] == "correct"
    assert elements(at)["stepper"].proto.json == before  # the same element: Streamlit sends a reference to it
    assert len(elements(at)["stepper_fill"].proto.SerializeToString()) < 3000


def test_answers_belong_to_one_network_and_one_session():
    at = start(preset="note000", mode="fill")
    fill(at, id=H1, text="1.25")
    other = start(preset="note000", mode="fill")  # another learner
    assert marks(other)["results"] == {}
    fill(other, id=H1, text="7")
    assert result(at, H1)["given"] == "1.25"
    at.selectbox(key="sel_preset").set_value("note001").run()
    assert marks(at)["results"] == {} and marks(at)["net"] == stepper_data(at)["fill"]
    at.selectbox(key="sel_preset").set_value("note000").run()  # back: this network's answers are still there
    assert result(at, H1)["verdict"] == "correct"


def test_the_language_switch_marks_again_in_the_new_language():
    at = start(preset="note000", mode="fill")
    fill(at, id=E, text="1.1025")
    assert "squared error" in result(at, E)["explanation"]
    at.segmented_control(key="lang").set_value("zh").run()
    assert not at.exception
    assert "平方误差" in result(at, E)["explanation"]
    assert stepper_data(at)["words"]["fill_check"] == "检查" and stepper_data(at)["words"]["fill_restart"] == "重新开始"
