"""Does the program mapper judge groupings by the dependencies, and keep the learner's grouping?"""
from __future__ import annotations

from course.exercises.program_mapper import STAND_ALONE, MapperProject, check_grouping
from course.learner.answers import AnswerStore
from course.widgets import ProgramMapper

PROJECTS = {
    "a": MapperProject("a", "API"),
    "b": MapperProject("b", "Mobile", ("a",)),
    "c": MapperProject("c", "Migration"),
    "d": MapperProject("d", "Lab interface", ("c",)),
    "e": MapperProject("e", "Cloud move"),
}


def test_the_connected_grouping_is_right_everywhere():
    """Is grouping exactly the dependency-linked projects, and leaving the lone one stand-alone, all right?"""
    feedback = check_grouping(PROJECTS, {"a": "P1", "b": "P1", "c": "P2", "d": "P2", "e": STAND_ALONE})
    assert all(item.correct for item in feedback.values())


def test_splitting_dependent_projects_is_explained():
    """Are two projects that depend on each other but sit in different programs both flagged, with the reason?"""
    feedback = check_grouping(PROJECTS, {"a": "P1", "b": "P2"})
    assert not feedback["a"].correct and not feedback["b"].correct
    assert "belong in one program" in feedback["b"].as_text()


def test_a_wrong_grouping_never_names_the_partner_it_should_join():
    """Does feedback on a wrong grouping say why without naming the project that would make it right?"""
    split = check_grouping(PROJECTS, {"a": "P1", "b": "P2"})
    alone = check_grouping(PROJECTS, {"b": STAND_ALONE})
    assert "API" not in split["b"].as_text() and "Mobile" not in split["a"].as_text()
    assert not alone["b"].correct and "API" not in alone["b"].as_text()


def test_sweeping_in_an_unrelated_project_is_explained():
    """Is a project with no link to the rest of its program flagged, and a lone project needing no program?"""
    feedback = check_grouping(PROJECTS, {"a": "P1", "b": "P1", "c": "P1", "d": "P1", "e": "P1"})
    assert "needs no program" in feedback["e"].as_text()
    assert "no chain of dependencies" in feedback["c"].as_text()
    assert not check_grouping(PROJECTS, {"a": STAND_ALONE})["a"].correct


def test_mapper_widget_draws_at_once_judges_on_check_and_restores(tmp_path):
    """Is a choice drawn at once but judged only on Check, and is the grouping restored when re-created?"""
    mapper = ProgramMapper(folder=tmp_path)
    mapper.assign("P17", "Program B")
    mapper.assign("P18", "Program C")
    assert mapper.network.outputs, "the network is drawn at once"
    assert mapper.feedback_text("P18") == "" and mapper.attempts == {}
    mapper.check()
    assert "depend on each other" in mapper.feedback_text("P18")
    assert ProgramMapper(folder=tmp_path).grouping == {"P17": "Program B", "P18": "Program C"}


def test_a_first_miss_explains_and_the_right_grouping_comes_after_a_second_or_on_request(tmp_path):
    """Does a first miss give the reason and hint without the right group, which comes after a second miss?"""
    mapper = ProgramMapper(folder=tmp_path)
    mapper.assign("P05", STAND_ALONE)
    mapper.check()
    first = mapper.feedback_text("P05")
    assert first.startswith("Not yet.") and "not stand-alone" in first and "Hint:" in first
    assert "belongs in one program with" not in first
    assert mapper.controls("P05")["show_answer"].layout.display != "none"
    mapper.assign("P05", "Program A")
    mapper.assign("P07", "Program A")
    mapper.check()
    assert "belongs in one program with P06" in mapper.feedback_text("P05")
    other = ProgramMapper("other", folder=tmp_path)
    other.show_answer("P10")
    assert "belongs in one program with P11" in other.feedback_text("P10")


def test_mapper_first_attempts_are_recorded_and_feedback_restored(tmp_path):
    """Is each placed project's first checked grouping kept, and its feedback stage shown again by a new widget?"""
    mapper = ProgramMapper(folder=tmp_path)
    mapper.assign("P10", "Program A")
    mapper.assign("P11", "Program A")
    mapper.assign("P22", "Program A")
    mapper.check()
    saved = AnswerStore(tmp_path).section_for("attempts", "program-mapper")
    assert saved["P10"]["first"] == {"with": ["P11", "P22"]} and saved["P10"]["first_correct"] is False
    assert set(saved) == {"P10", "P11", "P22"}
    again = ProgramMapper(folder=tmp_path)
    assert "Not yet" in again.feedback_text("P22") and "belongs in one program" not in again.feedback_text("P22")
    assert all(again.controls(project)["choice"].description for project in again.projects)
    assert again.controls("P10")["choice"].value == "Program A"


def test_a_chain_of_hand_offs_over_years_is_not_a_program():
    """Do dependent projects that never run at the same time stand alone, while overlapping ones form a program?"""
    from datetime import date

    from course.exercises.program_mapper import programs

    chain = {
        "launch": MapperProject("launch", "Launch", (), date(2019, 1, 7), date(2019, 6, 21)),
        "feeds": MapperProject("feeds", "Bank feeds", ("launch",), date(2020, 1, 13), date(2020, 5, 22)),
        "migration": MapperProject("migration", "Migration", (), date(2021, 1, 11), date(2021, 10, 29)),
        "lab": MapperProject("lab", "Lab results", ("migration",), date(2021, 3, 1), date(2021, 12, 17)),
    }
    assert programs(chain) == [frozenset({"lab", "migration"})]
    feedback = check_grouping(chain, {"launch": "P1", "feeds": "P1", "migration": "P2", "lab": "P2"})
    assert not feedback["feeds"].correct and "not a program" in feedback["feeds"].as_text()
    assert feedback["migration"].correct and feedback["lab"].correct
    right = {"launch": STAND_ALONE, "feeds": STAND_ALONE, "migration": "P2", "lab": "P2"}
    assert all(item.correct for item in check_grouping(chain, right).values())


def test_the_portfolio_programs_are_projects_that_overlap_and_depend():
    """Among the mapper's twelve projects, are the programs exactly the overlapping dependent groups of the data?"""
    from course.content.portfolio import load_portfolio
    from course.exercises.program_mapper import programs, projects_from_portfolio

    chosen = ("P05", "P06", "P07", "P10", "P11", "P17", "P18", "P19", "P20", "P22", "P25", "P27")
    found = programs(projects_from_portfolio(load_portfolio(), chosen))
    assert found == [frozenset({"P05", "P06"}), frozenset({"P10", "P11"}),
                     frozenset({"P17", "P18", "P19", "P20"})]
