"""Do difficulty and discrimination match values computed by hand?"""
from __future__ import annotations

import pandas as pd
import pytest

from course.grading.reports.item_analysis import analyse_items, group_size, option_counts

from ..conftest import REPO


def test_group_size_is_27_percent_rounded():
    """Is the top/bottom group 27% of the class, at least one student?"""
    assert group_size(10) == 3 and group_size(30) == 8 and group_size(100) == 27 and group_size(2) == 1


def test_difficulty_and_discrimination_on_a_small_fixed_class():
    """On a ten-student class, do p and D equal the hand-computed values, and are the flags right?"""
    # columns: q1 separates strong from weak; q2 everyone gets; q3 the weak get right and the strong wrong
    fractions = pd.DataFrame(
        {"q1": [1, 1, 1, 1, 1, 0, 0, 0, 0, 0], "q2": [1] * 10, "q3": [0, 0, 0, 0, 0, 0, 1, 1, 1, 1],
         "big": [1, 1, 1, 0.5, 0.5, 0.5, 0, 0, 0, 0]},
        index=[f"s{i}" for i in range(10)], dtype=float)
    points = pd.Series({"q1": 1.0, "q2": 1.0, "q3": 1.0, "big": 4.0})
    # totals: s0-s2 = 1+1+0+4 = 6, s3-s4 = 1+1+0+2 = 4, s5 = 0+1+0+2 = 3, s6-s9 = 0+1+1+0 = 2
    # group size round(2.7) = 3: top = s0, s1, s2; bottom = s6, s7, s8 (stable order among the tied 2s)
    table = analyse_items(fractions, points)
    assert table.at["q1", "p"] == 0.5 and table.at["q1", "D"] == 1.0 and table.at["q1", "quality"] == "very good"
    assert table.at["q2", "p"] == 1.0 and table.at["q2", "D"] == 0.0
    assert "very easy" in table.at["q2", "flag"] and "rewrite" in table.at["q2", "flag"]
    assert table.at["q3", "p"] == 0.4 and table.at["q3", "D"] == -1.0
    assert "check the key" in table.at["q3", "flag"]
    assert table.at["big", "p"] == pytest.approx(0.45) and table.at["big", "D"] == 1.0


def test_wrong_options_are_counted_and_named_by_misconception():
    """Are wrong choices counted per option with the misconception they stand for, and right ones left out?"""
    answers = {"s1": {"quiz": {"q": "a"}}, "s2": {"quiz": {"q": "b"}}, "s3": {"quiz": {"q": "b"}}, "s4": {}}
    key = {"quiz": {"q": {"correct": "a", "misconceptions": {"b": "project-manager-owns-lifecycle"}}}}
    table = option_counts(answers, key)
    assert table.to_dict("records") == [{"widget": "quiz", "question": "q", "wrong_answer": "b", "chosen_by": 2,
                                         "share": 0.5, "misconception": "project-manager-owns-lifecycle"}]


def test_pool_items_are_analysed_over_the_students_who_saw_them():
    """p and D of a pool item use only the students it was drawn for; an item seen by few is flagged so."""
    from course.grading.reports.item_analysis import analyse_pool_items

    nan = float("nan")
    right = pd.DataFrame({"w/x": [1, 1, 0, 0, nan, nan], "w/y": [0, 1, 1, 1, 1, 1], "w/z": [nan] * 6},
                         index=[f"s{i}" for i in range(6)])
    totals = pd.Series([6, 5, 4, 3, 2, 1], index=right.index, dtype=float)
    table = analyse_pool_items(right, totals)
    # x: seen by s0-s3, group size round(0.27 * 4) = 1: top s0 (1), bottom s3 (0)
    assert table.at["w/x", "seen_by"] == 4 and table.at["w/x", "p"] == 0.5 and table.at["w/x", "D"] == 1.0
    assert "seen by only 4" in table.at["w/x", "flag"]
    # y: seen by all six, group size round(1.62) = 2: top s0, s1 (0.5), bottom s5, s4 (1.0)
    assert table.at["w/y", "p"] == pytest.approx(0.833) and table.at["w/y", "D"] == -0.5
    assert "check the key" in table.at["w/y", "flag"]
    assert table.at["w/z", "seen_by"] == 0 and table.at["w/z", "flag"] == "drawn for nobody"


def test_wrong_answers_count_only_among_the_students_who_saw_the_item():
    """A multiple-select answer names each wrong and each missed option; a RACI row names who was made Accountable."""
    answers = {"a": {"q": {"one": "b", "many": ["a", "d"], "row": {"pm": "A", "dev": "A"}}},
               "b": {"q": {"one": "a", "many": ["a", "c"], "row": {"pm": "C", "dev": "A"}}},
               "c": {"q": {"one": "b"}}}
    key = {"q": {"one": {"correct": "a", "misconceptions": {"b": "belief-b"}},
                 "many": {"correct": ["a", "c"], "misconceptions": {"d": "belief-d", "-c": "belief-missed-c"}},
                 "row": {"correct": {"pm": "A", "dev": "R"}, "misconceptions": {"A:shared": "two-accountable"}}}}
    seen = {"a": {"q": ["one", "many", "row"]}, "b": {"q": ["one", "many", "row"]}, "c": {"q": ["many"]}}
    table = option_counts(answers, key, seen).set_index(["question", "wrong_answer"])
    assert table.loc[("one", "b"), "chosen_by"] == 1 and table.loc[("one", "b"), "share"] == 0.5  # c never saw it
    assert table.loc[("many", "d"), "misconception"] == "belief-d"
    assert table.loc[("many", "-c"), "misconception"] == "belief-missed-c"
    assert table.loc[("row", "A:shared"), "misconception"] == "two-accountable"
    assert table.loc[("row", "A:dev"), "misconception"] == "unnamed"  # the key names no belief for it


def test_the_report_takes_first_attempts_and_each_students_own_draw(tmp_path):
    """A hand-made class: ada missed her first item at first and corrected it, grace typed her answers (no attempts
    recorded), bob handed in ada's file. Each is analysed on their own items, ada's first item as missed."""
    import json

    from course.exercises.variants import load_pool
    from course.grading.pipeline.course_folder import CourseFolder
    from course.grading.reports.report import first_answers, right_at_first

    key = json.loads((REPO / "solutions" / "a3-tradeoffs" / "misconceptions.json").read_text())
    pool = load_pool("a3-decision-owners")
    (tmp_path / "nbgrader_config.py").write_text((REPO / "nbgrader_config.py").read_text())  # the course's layout
    course = CourseFolder.at(tmp_path)

    def hand_in(student, document):
        for folder in (course.submitted(student, "a3-tradeoffs"), course.autograded(student, "a3-tradeoffs")):
            folder.mkdir(parents=True)
            (folder / "pm-course-answers.json").write_text(json.dumps(document))

    def right(item):
        return key["a3-decision-owners"][item]["correct"]

    ada = pool.draw("user:ada")
    ada_file = {"answers": {"a3-decision-owners": {item: right(item) for item in ada}},
                "pools": {"a3-decision-owners": {"seed": "user:ada", "items": ada}},
                "attempts": {"a3-decision-owners": {ada[0]: {"count": 2, "first": "sales", "last": right(ada[0])}}}}
    hand_in("ada", ada_file)
    grace = pool.draw("user:grace")
    hand_in("grace", {"answers": {"a3-decision-owners": {item: right(item) for item in grace}}})
    hand_in("bob", ada_file)
    first, seen = first_answers(course, "a3-tradeoffs", ["ada", "grace", "bob"], key)
    assert seen["ada"]["a3-decision-owners"] == ada and seen["grace"]["a3-decision-owners"] == grace
    assert seen["bob"]["a3-decision-owners"] == pool.draw("user:bob")
    assert first["ada"]["a3-decision-owners"][ada[0]] == "sales"
    table = right_at_first(first, seen, key)
    assert table.loc["ada", f"a3-decision-owners/{ada[0]}"] == 0.0
    assert table.loc["ada", [f"a3-decision-owners/{item}" for item in ada[1:]]].tolist() == [1.0, 1.0]
    assert table.loc["grace"].notna().sum() == 3 and table.loc["grace"].sum() == 3.0
    bobs = [f"a3-decision-owners/{item}" for item in pool.draw("user:bob")]
    assert table.loc["bob", bobs].tolist() == [float(item in ada[1:]) for item in pool.draw("user:bob")]


@pytest.mark.parametrize("item,answer,right", [
    ("multi", ["a", "b"], True), ("multi", ("b", "a", "a"), True), ("multi", ["a"], False), ("multi", [], False),
    ("raci", {"dev": "R", "pm": "A"}, True), ("raci", {"pm": "A"}, False), ("raci", {"dev": "R", "pm": 1}, False),
    ("one", "a", True), ("one", "b", False), ("one", "", False), ("one", ["a"], False), ("one", None, False),
])
def test_one_rule_decides_a_right_answer_for_the_grader_and_the_report(item, answer, right):
    """Is an answer right in the class report exactly when the grader counts it right (multiple choices in any order,
    types as well as values; an empty first attempt is not right)?"""
    from course.grading.nbgrader_plugins.widget_judging import points_for_matches, same_answer
    from course.grading.reports.item_analysis import wrong_labels
    from course.grading.reports.report import right_at_first

    key = {"w": {"multi": {"correct": ["b", "a"]}, "raci": {"correct": {"pm": "A", "dev": "R"}},
                 "one": {"correct": "a"}}}
    correct = key["w"][item]["correct"]
    assert same_answer(answer, correct) is right
    assert points_for_matches({item: answer}, {item: correct}, points=1) == float(right)
    table = right_at_first({"s": {"w": {item: answer}}}, {"s": {"w": [item]}}, key)
    assert table.at["s", f"w/{item}"] == float(right)
    assert (wrong_labels(answer, correct) == []) == (right or answer in ("", [], None))
