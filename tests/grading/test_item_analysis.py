"""Do difficulty and discrimination match values computed by hand?"""
from __future__ import annotations

import pandas as pd
import pytest

from course.grading.item_analysis import analyse_items, group_size, option_counts


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
