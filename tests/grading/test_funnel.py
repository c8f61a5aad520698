"""The class view of a graded scenario: do the decision funnel's counts match a hand-made class?"""
from __future__ import annotations

import json

from course.exercises.scenario import load_scenario
from course.grading.reports.funnel import decision_funnel, ending_counts, funnel_plot, recorded_path

from ..conftest import REPO

STUDIO = load_scenario(REPO / "solutions" / "a5-scenarios" / "scenario-keys" / "studio-update.json")
CLASS = {
    "s1": ["goals-first", "assess", "pm-tells", "fix-first"],  # the best path: success
    "s2": ["goals-first", "absorb", "cut-late", "fix-first"],  # overtime, then recovers: success
    "s3": ["cut-to-fit", "defend", "push-on"],  # failure
    "s4": ["all-eight", "replan", "ship-bugs"],  # partial
    "s5": ["goals-first", "assess"],  # stopped before an ending
}


def row(table, node, choice):
    found = table[(table["node"] == node) & (table["choice"] == choice)]
    assert len(found) == 1, (node, choice)
    return found.iloc[0]


def test_funnel_counts_who_reached_each_node_took_each_choice_and_where_they_ended():
    table = decision_funnel(STUDIO, CLASS)
    first = row(table, "kickoff", "goals-first")
    assert (first["reached"], first["took"], first["ended"]) == (5, 3, "end-success 2, unfinished 1")
    assert first["misconception"] == "" and first["step"] == 1
    cut = row(table, "kickoff", "cut-to-fit")
    assert (cut["took"], cut["ended"], cut["misconception"]) == (1, "end-failure 1", "project-manager-decides-what")
    assert "project manager decides which features" in cut["belief"]
    assert row(table, "kickoff", "all-eight")["ended"] == "end-partial 1"
    assert (row(table, "ranked", "assess")["reached"], row(table, "ranked", "assess")["took"]) == (3, 2)
    assert row(table, "ranked", "absorb")["misconception"] == "overtime-absorbs-scope"
    assert (row(table, "overloaded", "push-on")["reached"], row(table, "overloaded", "push-on")["took"]) == (2, 1)
    assert (row(table, "crunch", "cut-late")["took"], row(table, "crunch", "ship-bugs")["took"]) == (1, 1)
    assert (row(table, "mode-weighed", "pm-tells")["took"], row(table, "mode-weighed", "wait-tell")["took"]) == (1, 0)
    fix = row(table, "release", "fix-first")
    assert (fix["reached"], fix["took"], fix["ended"], fix["share"]) == (2, 2, "end-success 2", 1.0)
    assert ending_counts(STUDIO, CLASS) == {"end-success": 2, "end-partial": 1, "end-failure": 1, "unfinished": 1}


def test_funnel_plot_has_alt_text_naming_the_commonest_mistake():
    table = decision_funnel(STUDIO, CLASS)
    plot = funnel_plot(STUDIO, table, ending_counts(STUDIO, CLASS))
    assert "for 5 students" in plot.alt and "3 of 5 took" in plot.alt and "2 at end-success" in plot.alt
    assert len(plot.png()) > 1000


def test_the_recorded_path_is_read_from_an_answer_file_and_odd_ones_give_nothing():
    document = json.loads(json.dumps({"answers": {"scenario-studio-update": {"path": ["goals-first", 3]}}}))
    assert recorded_path(document, "studio-update") == ["goals-first"]
    assert recorded_path({"answers": {"scenario-studio-update": "x"}}, "studio-update") == []
    assert recorded_path({}, "studio-update") == []
