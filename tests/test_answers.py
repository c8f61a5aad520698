"""Are widget answers kept safely between sessions?"""
from __future__ import annotations

import json
import multiprocessing

import pytest

from course.learner.answers import ANSWER_FILE_NAME, AnswerFileError, AnswerStore


def test_answers_survive_a_new_store(tmp_path):
    """Are saved answers read back by a store created later (a new session)?"""
    AnswerStore(tmp_path).save("quiz-a", {"q1": "b"})
    AnswerStore(tmp_path).save("quiz-b", {"q1": ["x", "y"]})
    again = AnswerStore(tmp_path)
    assert again.answers_for("quiz-a") == {"q1": "b"}
    assert again.answers_for("quiz-b") == {"q1": ["x", "y"]}
    assert again.answers_for("never-answered") == {}


@pytest.mark.parametrize("content", ["{broken", "[1, 2]", '{"answers": {"quiz": "not a dict"}}', '{"other": 1}'])
def test_a_corrupt_file_is_a_clear_error_and_is_replaced_on_the_next_answer(tmp_path, content):
    """Does a damaged answer file give a readable message, and does answering again write a good file?"""
    (tmp_path / ANSWER_FILE_NAME).write_text(content)
    store = AnswerStore(tmp_path)
    with pytest.raises(AnswerFileError, match="starts unanswered"):
        store.load()
    store.save("quiz", {"q1": "a"})
    assert store.answers_for("quiz") == {"q1": "a"}


def _hammer(folder, worker):
    store = AnswerStore(folder)
    for round_number in range(25):
        store.save(f"widget-{worker}", {"round": round_number})


def test_concurrent_writers_never_corrupt_the_file(tmp_path):
    """Do four processes saving at once leave a valid file holding every widget's last answer?"""
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_hammer, args=(str(tmp_path), worker)) for worker in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(60)
    assert all(process.exitcode == 0 for process in workers)
    content = json.loads((tmp_path / ANSWER_FILE_NAME).read_text())
    assert {key: value["round"] for key, value in content["answers"].items()} == {f"widget-{w}": 24 for w in range(4)}
    assert not list(tmp_path.glob(".answers-*")), "no temporary file may be left behind"


def test_sections_and_seed_are_kept_beside_the_answers(tmp_path, monkeypatch):
    """Are a widget's attempts and shown sections kept apart from its answers, and the seed made once?"""
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    store = AnswerStore(tmp_path)
    store.save("quiz", {"q1": "b"}, attempts={"q1": {"first": "a", "count": 2}})
    store.keep("shown", "quiz", {"questions": ["q1"]})
    again = AnswerStore(tmp_path)
    assert again.answers_for("quiz") == {"q1": "b"}
    assert again.section_for("attempts", "quiz") == {"q1": {"first": "a", "count": 2}}
    assert again.section_for("shown", "quiz") == {"questions": ["q1"]}
    assert again.seed() == AnswerStore(tmp_path).seed() and again.seed().startswith("random:")
    monkeypatch.setenv("JUPYTERHUB_USER", "ada")
    assert again.seed() == "user:ada"


def test_a_damaged_file_is_not_rewritten_for_a_seed_and_a_proposed_seed_is_adopted(tmp_path, monkeypatch):
    """Does asking for a known seed leave a damaged file alone, and does adopt_seed keep the seed a widget used?"""
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    (tmp_path / ANSWER_FILE_NAME).write_text("{broken")
    store = AnswerStore(tmp_path)
    assert store.known_seed() is None and (tmp_path / ANSWER_FILE_NAME).read_text() == "{broken"
    store.save("quiz", {"q1": "a"})
    assert store.adopt_seed("random:mine") == "random:mine"
    assert store.adopt_seed("random:other") == "random:mine" and store.seed() == "random:mine"
