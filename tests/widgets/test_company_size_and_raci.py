"""Do the company-size explorer and the RACI builder check what they promise?"""
from __future__ import annotations

import json

import pytest

from course.company_size import load_stages
from course.errors import DataFileError
from course.paths import data_dir
from course.raci import load_raci
from course.widgets import CompanySizeExplorer, RaciBuilder


def test_stages_run_from_one_person_to_specialists():
    """Do the shipped stages go from every role in one person (5) to specialists (5,000)?"""
    patterns = {stage.size: stage.pattern for stage in load_stages()}
    assert patterns[5] == "one" and patterns[5000] == "specialists" and patterns[50] == "shared"


def test_explorer_explains_a_wrong_prediction_and_reveals_the_holders(tmp_path):
    """Does a wrong prediction get the right pattern and reason, plus who holds each role, and is it kept?"""
    explorer = CompanySizeExplorer(folder=tmp_path)
    explorer.predict(5, "specialists")
    assert "one person holds every role" in explorer.feedback_text(5)
    assert "a founder" in explorer._rows.feedback["5"].value
    assert CompanySizeExplorer(folder=tmp_path).answers == {"5": "specialists"}


def test_raci_needs_exactly_one_accountable(tmp_path):
    """Are zero and two Accountables each refused with the rule, and one A with the key's letters accepted?"""
    builder = RaciBuilder(folder=tmp_path)
    builder.set("deliver", "project_manager", "R")
    assert "Nobody is Accountable" in builder.feedback_text("deliver")
    builder.set("deliver", "project_manager", "A")
    builder.set("deliver", "product_manager", "A")
    assert "both Accountable" in builder.feedback_text("deliver")
    for role, letter in {"product_manager": "C", "product_marketing_manager": "I", "sales": "I"}.items():
        builder.set("deliver", role, letter)
    assert builder.feedback_text("deliver").startswith("Right.")
    assert RaciBuilder(folder=tmp_path).grid["deliver"]["project_manager"] == "A"


def test_raci_explains_letters_that_differ_from_the_key(tmp_path):
    """With one A but other letters off the key, does the feedback say which role should have which letter?"""
    builder = RaciBuilder(folder=tmp_path)
    for role, letter in {"product_manager": "A", "project_manager": "R", "product_marketing_manager": "I",
                         "sales": "I"}.items():
        builder.set("decide", role, letter)
    text = builder.feedback_text("decide")
    assert "Project manager: Consulted rather than Responsible" in text


def test_a_raci_key_with_two_accountables_is_refused(tmp_path):
    """Is an instructor's RACI file whose key breaks the one-A rule refused with the activity named?"""
    raw = json.loads((data_dir() / "raci" / "sales-promise.json").read_text())
    raw["activities"][0]["key"]["sales"] = "A"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(raw))
    with pytest.raises(DataFileError, match="activity decide: the key must have exactly one A"):
        load_raci(path)
