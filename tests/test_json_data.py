"""Reading JSON (course/content/json_data.py): the course's data files and instructors' files fail with one line
naming the file; the pipeline's own records read as empty when missing or damaged; a notebook's cells."""
from __future__ import annotations

import pytest

from course.content.json_data import notebook_cells, read_json, read_json_file, read_record
from course.errors import DataFileError


def test_a_data_file_is_found_by_name_or_by_path(tmp_path):
    content, path = read_json("a1-role-sorter", "pools", "pool file")
    assert path.name == "a1-role-sorter.json" and path.parent.name == "pools" and content
    own = tmp_path / "mine.json"
    own.write_text('{"id": "mine"}', encoding="utf-8")
    assert read_json(own, "pools", "pool file") == ({"id": "mine"}, own)


def test_a_missing_or_broken_file_is_one_line_naming_it_and_what_it_was_for(tmp_path):
    with pytest.raises(DataFileError, match=r"missing\.json: no such answer key$"):
        read_json_file(tmp_path / "missing.json", "answer key")
    broken = tmp_path / "broken.json"
    broken.write_text('{"a": ', encoding="utf-8")
    with pytest.raises(DataFileError, match=r"broken\.json: not valid JSON \(Expecting value"):
        read_json_file(broken, "answer key")


@pytest.mark.parametrize("text", [None, "", "{not json", "[1, 2]", '"a string"', "\xff\xfe"])
def test_a_record_missing_damaged_or_not_an_object_reads_as_empty(tmp_path, text):
    """The feedback record, LMS identities, import notes and verdict files are rebuilt or only inform: a damaged
    one never stops a command."""
    path = tmp_path / "record.json"
    if text is not None:
        path.write_bytes(text.encode("latin-1"))
    assert read_record(path) == {}
    path.write_text('{"ada": {"final": true}}', encoding="utf-8")
    assert read_record(path) == {"ada": {"final": True}}


def test_a_notebooks_cells_come_with_their_source_as_one_string(tmp_path):
    """Does a notebook read as its cells, a source stored as a list of lines joined as nbformat joins it?"""
    notebook = tmp_path / "lesson.ipynb"
    notebook.write_text('{"cells": [{"cell_type": "markdown", "source": ["# Title\\n", "text"]}, '
                        '{"cell_type": "code", "source": "x = 1", "execution_count": 3}], "nbformat": 4}',
                        encoding="utf-8")
    assert notebook_cells(notebook) == [{"cell_type": "markdown", "source": "# Title\ntext"},
                                        {"cell_type": "code", "source": "x = 1", "execution_count": 3}]


@pytest.mark.parametrize("text", [None, "{not json", '{"cells": "none"}', "[]"])
def test_a_missing_damaged_or_cell_less_notebook_has_no_cells(tmp_path, text):
    """A learner's notebook may be missing or half-saved: is that no cells, never an exception?"""
    notebook = tmp_path / "lesson.ipynb"
    if text is not None:
        notebook.write_text(text, encoding="utf-8")
    assert notebook_cells(notebook) == []
