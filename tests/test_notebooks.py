"""Does every notebook run top to bottom, and is every committed notebook clean?"""
from __future__ import annotations

import json

import pytest

from .conftest import LESSONS, REPO, SOLUTION_NOTEBOOKS

COMMITTED = sorted(  # every notebook of the checkout, outside hidden folders (.venv, .ipynb_checkpoints, .pm-course)
    path for path in REPO.rglob("*.ipynb")
    if not any(part.startswith(".") for part in path.relative_to(REPO).parts)
    and not {"autograded", "submitted", "feedback"} & set(path.parts)
)
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
ALLOWED_NOTEBOOK_METADATA = {"kernelspec", "language_info"}
ALLOWED_CELL_METADATA = {"nbgrader", "tags", "editable", "deletable"}


def _name(path):
    return str(path.relative_to(REPO))


@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS + SOLUTION_NOTEBOOKS, ids=_name)
def test_notebook_executes_without_error(path, executed_notebooks):
    """Does the notebook run from the first cell to the last without an error or a warning on stderr?"""
    notebook = executed_notebooks(path)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error", f"{output.get('ename')}: {output.get('evalue')}"
            if output.get("name") == "stderr":
                pytest.fail(f"a cell wrote to stderr (nbgrader scores such test cells 0): {output.get('text')}")
            data = output.get("data", {})
            if "image/png" in data or "image/svg+xml" in data:
                assert 'alt="' in data.get("text/html", ""), "a plot needs alternative text for screen readers"


@pytest.mark.parametrize("path", COMMITTED, ids=_name)
def test_committed_notebook_is_clean(path):
    """Is the notebook committed without outputs, execution counts or stray metadata, on the course kernel?"""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    assert notebook["metadata"].get("kernelspec") == KERNELSPEC
    assert set(notebook["metadata"]) <= ALLOWED_NOTEBOOK_METADATA
    for cell in notebook["cells"]:
        assert set(cell.get("metadata", {})) <= ALLOWED_CELL_METADATA, cell.get("metadata")
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"cell {cell.get('id')} has outputs"
            assert cell["execution_count"] is None, f"cell {cell.get('id')} has an execution count"
