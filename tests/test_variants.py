"""Pools of graded items: are they public without keys, large enough, written to the item rules, drawn per
student, and marked by the grader on the student's own items?"""
from __future__ import annotations

import json

import pandas as pd
import pytest

from course.errors import DataFileError
from course.exercises.variants import drawn_items, load_pool, parse_pool, pool_quiz
from course.grading.nbgrader_plugins.widget_judging import items_to_mark, judge_pool, read_handed_in
from course.learner.answers import AnswerStore

from .conftest import REPO

POOLS = {"a1-roles": ["a1-role-sorter"], "a3-tradeoffs": ["a3-decision-owners"], "a4-cases": ["a4-cases", "a4-raci"]}
CATALOGUE = set(pd.read_csv(REPO / "data" / "misconceptions.csv")["misconception_id"])


def key_of(assignment: str, widget: str) -> dict:
    return json.loads((REPO / "solutions" / assignment / "misconceptions.json").read_text())[widget]


@pytest.mark.parametrize("assignment,widget", [(a, w) for a, widgets in POOLS.items() for w in widgets])
def test_every_pool_is_public_large_and_keyed_only_on_the_instructors_side(assignment, widget):
    """Is the pool three times what a student sees, free of keys, and is every item keyed in solutions/ with a
    catalogue misconception for every wrong answer?"""
    pool = load_pool(widget)
    assert len(pool.items) >= 3 * pool.shown_count
    public = (REPO / "data" / "pools" / f"{widget}.json").read_text()
    assert '"correct"' not in public and "misconception" not in public
    key = key_of(assignment, widget)
    assert set(key) == {item.id for item in pool.items}
    for item in pool.items:
        spec = key[item.id]
        assert set(spec["misconceptions"].values()) <= CATALOGUE, item.id
        if pool.kind == "quiz":
            keys = [option_key for option_key, _ in item.options]
            right = spec["correct"] if isinstance(spec["correct"], list) else [spec["correct"]]
            assert set(right) <= set(keys)
            wrong = set(keys) - set(right)
            assert wrong <= set(spec["misconceptions"]), f"{item.id}: a wrong option without a misconception"


def test_quiz_pools_follow_the_item_rules():
    """Four options, the key not the longest option in more than a third of items, every key position used."""
    for widget in ("a4-cases",):
        pool, key = load_pool(widget), key_of("a4-cases", widget)
        longest_is_key, positions = 0, set()
        for item in pool.items:
            assert len(item.options) == 4, item.id
            right = key[item.id]["correct"]
            right = right if isinstance(right, list) else [right]
            lengths = {option_key: len(text) for option_key, text in item.options}
            longest_is_key += max(lengths, key=lengths.get) in right and len(right) == 1
            positions.update(index for index, (option_key, _) in enumerate(item.options) if option_key in right)
        assert longest_is_key <= len(pool.items) / 3 and positions == {0, 1, 2, 3}


def test_a_pool_with_a_key_or_too_few_items_is_refused():
    items = [{"id": f"q{i}", "prompt": "Who?", "options": [{"key": k, "text": k} for k in "abc"]} for i in range(3)]
    with pytest.raises(DataFileError, match="at least 3 times"):
        parse_pool({"id": "p", "kind": "quiz", "title": "t", "show": 2, "items": items})
    items[0]["options"][0]["correct"] = True
    with pytest.raises(DataFileError, match="carries a key"):
        parse_pool({"id": "p", "kind": "quiz", "title": "t", "show": 1, "items": items})


def test_draws_differ_between_students_and_stay_put_for_one(tmp_path, monkeypatch):
    """Two hub users get different items; reopening keeps them; a grouped pool gives one item per case."""
    pool = load_pool("a4-cases")
    assert pool.draw("user:ada") != pool.draw("user:grace")
    assert len({pool.item(item).group for item in pool.draw("user:ada")}) == len(pool.groups) == 5
    monkeypatch.setenv("JUPYTERHUB_USER", "ada")
    first = [question.id for question in pool_quiz("a4-cases", tmp_path).questions]
    assert first == pool.draw("user:ada")
    monkeypatch.setenv("JUPYTERHUB_USER", "grace")  # the record in the file wins: the items never change
    assert drawn_items(pool, tmp_path) == first
    record = AnswerStore(tmp_path).section_for("pools", "a4-cases")
    assert record == {"seed": "user:ada", "items": first}


def test_the_grader_marks_own_items_and_names_a_copied_file(tmp_path, monkeypatch):
    """Own file: its draw is marked. Another hub user's file: the student's own draw, and a note. No file: the
    hub draw of the student's id. A record whose items its seed does not give: the seed's draw, and a note."""
    monkeypatch.setenv("JUPYTERHUB_USER", "ada")
    pool_quiz("a4-cases", tmp_path)
    handed_in = read_handed_in(tmp_path)
    pool = load_pool("a4-cases")
    assert items_to_mark("a4-cases", "ada", handed_in) == (pool.draw("user:ada"), "")
    items, note = items_to_mark("a4-cases", "bob", handed_in)
    assert items == pool.draw("user:bob") and "another student (ada)" in note
    assert items_to_mark("a4-cases", "bob", {}) == (pool.draw("user:bob"), "")
    forged = {"pools": {"a4-cases": {"seed": "user:ada", "items": pool.draw("user:grace")}}}
    items, note = items_to_mark("a4-cases", "ada", forged)
    assert items == pool.draw("user:ada") and "not the ones drawn" in note


def test_judging_counts_only_the_students_own_items():
    """Answers to items not drawn for the student earn nothing; a multiple-select item needs the exact set."""
    key = key_of("a4-cases", "a4-cases")
    own = load_pool("a4-cases").draw("user:ada")
    every_answer = {item: spec["correct"] for item, spec in key.items()}
    assert judge_pool("a4-cases", every_answer, key, "ada", {}).share == 1.0
    others_only = {item: answer for item, answer in every_answer.items() if item not in own}
    verdict = judge_pool("a4-cases", others_only, key, "ada", {})
    assert verdict.share == 0.0 and verdict.decides and "not answered" in verdict.note
    one_wrong = dict(every_answer, **{own[0]: "z"})
    assert judge_pool("a4-cases", one_wrong, key, "ada", {}).share == pytest.approx(0.8)
    assert judge_pool("a4-cases", "not a dict", key, "ada", {}).share == 0.0


def test_a_handed_in_file_is_read_defensively(tmp_path):
    """A link, a huge file or a file that is not a JSON object is treated as no file at all."""
    (tmp_path / "pm-course-answers.json").write_text("[1, 2]")
    assert read_handed_in(tmp_path) == {}
    (tmp_path / "pm-course-answers.json").unlink()
    (tmp_path / "elsewhere.json").write_text('{"pools": {}}')
    (tmp_path / "pm-course-answers.json").symlink_to(tmp_path / "elsewhere.json")
    assert read_handed_in(tmp_path) == {}
