"""Does the built wheel carry what a learner needs, and nothing an instructor must keep?"""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .cli.test_start import assert_start_serves_the_first_lesson
from .conftest import REPO
from .grading.test_no_leaks import secret_lines

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(REPO)],
                   check=True, capture_output=True)
    return next(out.glob("pm_course-*.whl"))


def test_wheel_ships_lessons_exercises_and_data_but_no_solutions(wheel):
    """Are lessons, student exercises and data inside the wheel, and no solution or hidden test?"""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        texts = {name: archive.read(name).decode("utf-8", errors="replace") for name in names}
    assert "course/lessons/00-start-here.ipynb" in names
    assert "course/_shipped/data/cases.csv" in names
    assert any(name.startswith("course/_shipped/exercises/") and name.endswith(".ipynb") for name in names)
    assert not [name for name in names if "solutions" in name or name.endswith(("misconceptions.json",
                                                                                  "plausible_mistakes.json"))]
    fixtures = [name for name in names if name.startswith("tests/") or "/support/" in name
                or name.rsplit("/", 1)[-1] in ("simulate.py", "mistakes.py", "conftest.py")]
    assert not fixtures, f"test and benchmark fixtures are not for learners: {fixtures[:5]}"
    secrets = secret_lines()
    for name, text in texts.items():
        leaked = [line for line in secrets if line in text]
        assert not leaked, f"{name} contains {leaked[:3]}"


def _outer_site_packages() -> list[str]:
    """Where the environment running the tests keeps its packages (a virtualenv's own, or the interpreter's)."""
    import site
    import sysconfig

    folders = [*site.getsitepackages(), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    if site.ENABLE_USER_SITE:
        folders.append(site.getusersitepackages())
    return [folder for folder in dict.fromkeys(folders) if Path(folder).is_dir()]


def test_wheel_in_a_fresh_venv_starts_the_course(wheel, tmp_path):
    """Installed from the wheel (not editable) into a new venv, does 'pm-course start --no-browser' serve JupyterLab?

    The wheel's dependencies are the ones this test runs with, whatever holds them: a ``.pth`` file puts this
    environment's site-packages after the new venv's own. (A venv made with ``--system-site-packages`` sees the base
    interpreter's packages, not those of a virtualenv the tests run in, so there it started without JupyterLab.)
    """
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    own = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True).stdout.strip()
    (Path(own) / "test-dependencies.pth").write_text("\n".join(_outer_site_packages()) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    str(wheel)], check=True)
    where = subprocess.run([str(python), "-c", "import course.paths as p; print(p.PACKAGE_DIR); print(p.data_dir())"],
                           cwd=tmp_path, capture_output=True, text=True, check=True).stdout.split()
    assert where[0].startswith(str(venv)), "the venv must use the wheel, not the checkout"
    assert where[1].startswith(str(venv))
    assert_start_serves_the_first_lesson(str(venv / "bin" / "pm-course"), tmp_path)
