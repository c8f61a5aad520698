"""How fast does a class get graded? Serial nbgrader, pm-course grade, and the floor, in one run.

    python benchmarks/grading_speed.py [--students 40] [--assignment a1-roles] [--workers N] [--rounds R]

Builds a synthetic class (reproducible: answers of mixed quality from the solutions and the
plausible mistakes in solutions/plausible_mistakes.json) in a temporary course folder, then times

1. serial ``nbgrader autograde`` of the whole class (one process, nbgrader's own loop);
2. ``pm-course grade --workers N --no-feedback`` (the same work, N worker processes), and
   ``pm-course grade`` with feedback, as an instructor runs it;
3. the floor: executing every student notebook with nbclient alone, serially; divided by N
   it is the best a perfect N-way split could do. Twice: with nbclient's default graceful kernel
   shutdown, and with the kernel ended at once, as the course's nbgrader_config.py does (a graceful
   shutdown waits about 0.5 s per notebook, and about 5% of them stall 2.5 s more while ipykernel
   hangs joining its control thread). And once more, ended at once, split over N processes: the
   best this machine's cores really give, which a perfect N-way split of the serial floor overstates.

It prints the figures, the speed-up over serial nbgrader, the overhead over floor / N, and the
spread of single-notebook execution times (slowest against median), which shows stalls. With
``--rounds R`` every measurement is repeated R times, interleaved (all of them once, then again),
and the medians are compared: this machine's speed drifts by a third within minutes.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from course.grading.pipeline.gradebook import default_db_url, item_scores  # noqa: E402
from course.grading.pipeline.nbgrader_runner import run_nbgrader  # noqa: E402
from course.processes.environment import child_environment  # noqa: E402
from tests.support.simulate import build_class  # noqa: E402


def make_course(root: Path, assignment: str, students: int, seed: int) -> Path:
    root.mkdir(parents=True)
    shutil.copy(REPO / "nbgrader_config.py", root)
    shutil.copytree(REPO / "solutions", root / "solutions")
    run_nbgrader(root, "generate_assignment", assignment, "--force")
    build_class(root, assignment, students, seed=seed)
    return root


def timed(action, *arguments) -> float:
    start = time.perf_counter()
    action(*arguments)
    return time.perf_counter() - start


def pm_course(*arguments: str) -> None:
    command = [str(Path(sys.executable).with_name("pm-course")), *arguments]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=child_environment())


def _execute_all(paths: list[str], shutdown: str) -> list[float]:
    times = []
    for notebook_path in map(Path, paths):
        notebook = nbformat.read(str(notebook_path), as_version=4)
        start = time.perf_counter()
        NotebookClient(notebook, timeout=60, kernel_name="python3", allow_errors=True, shutdown_kernel=shutdown,
                       extra_arguments=["--log-level=ERROR"],  # no warning per kernel about its TCP sockets
                       resources={"metadata": {"path": str(notebook_path.parent)}}).execute()
        times.append(time.perf_counter() - start)
    return times


def parallel_floor(root: Path, assignment: str, workers: int) -> None:
    """The same notebooks with nbclient alone, split over ``workers`` processes: what this machine's cores give."""
    from concurrent.futures import ProcessPoolExecutor

    paths = [str(path) for path in sorted((root / "submitted").glob(f"*/{assignment}/*.ipynb"))]
    shares = [paths[index::workers] for index in range(workers)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(_execute_all, shares, ["immediate"] * workers))


def floor(root: Path, assignment: str, shutdown: str = "graceful") -> list[float]:
    """Execute every submitted notebook with nbclient alone; return each one's seconds.

    ``shutdown`` is nbclient's ``shutdown_kernel``: "graceful" (its default) asks the kernel to exit and waits;
    "immediate" (what the course's nbgrader_config.py sets) ends it at once.
    """
    paths = [str(path) for path in sorted((root / "submitted").glob(f"*/{assignment}/*.ipynb"))]
    return _execute_all(paths, shutdown)


def class_scores(root: Path, assignment: str, students: list[str]) -> dict[str, dict[str, float | None]]:
    """Every student's automatic score on every graded cell, as the gradebook holds them."""
    url = default_db_url(root)
    return {student: {cell: item.auto_score for cell, item in item_scores(url, assignment, student).items()}
            for student in students}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40, help="class size (default 40)")
    parser.add_argument("--assignment", default="a1-roles", help="assignment to grade (default a1-roles)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="workers for pm-course grade")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic class")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run every measurement this many times, interleaved, and report each one's median "
                             "(the machine's speed drifts; interleaving spreads the drift over all of them)")
    args = parser.parse_args()
    os.environ["PATH"] = child_environment()["PATH"]
    workers, assignment = args.workers, args.assignment
    per_notebook: dict[str, list[float]] = {"graceful": [], "immediate": []}
    runs = {
        "serial": ("serial nbgrader autograde",
                   lambda copy: run_nbgrader(copy, "autograde", assignment, "--force")),
        "parallel": (f"pm-course grade --workers {workers} --no-feedback",
                     lambda copy: pm_course("grade", assignment, "--course", str(copy), "--workers", str(workers),
                                            "--quiet", "--no-feedback")),
        "feedback": (f"pm-course grade --workers {workers} --feedback=provisional (feedback for every student)",
                     lambda copy: pm_course("grade", assignment, "--course", str(copy), "--workers", str(workers),
                                            "--quiet", "--feedback=provisional")),
        "floor": ("floor: nbclient alone, serially (its default graceful kernel shutdown)",
                  lambda copy: per_notebook["graceful"].extend(floor(copy, assignment))),
        "floor_immediate": ("floor: nbclient alone, serially, kernel ended at once (as the course grades)",
                            lambda copy: per_notebook["immediate"].extend(floor(copy, assignment, "immediate"))),
        "split": (f"floor: nbclient alone, kernel ended at once, split over {workers} processes",
                  lambda copy: parallel_floor(copy, assignment, workers)),
    }
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    scores: dict[str, dict] = {}  # round 1's gradebooks, serial nbgrader's and pm-course grade's, compared below
    with tempfile.TemporaryDirectory() as temporary:
        base = make_course(Path(temporary) / "class", assignment, args.students, args.seed)
        print(f"{args.students} students, {assignment}, {workers} workers, {os.cpu_count()} cores, "
              f"{args.rounds} round(s)")
        for round_number in range(1, args.rounds + 1):
            for name, (label, action) in runs.items():
                copy = Path(temporary) / f"{name}-{round_number}"
                shutil.copytree(base, copy)
                seconds[name].append(timed(action, copy))
                print(f"  round {round_number}, {label}: {seconds[name][-1]:.1f} s", flush=True)
                if round_number == 1 and name in ("serial", "parallel"):
                    scores[name] = class_scores(copy, assignment, sorted(os.listdir(copy / "submitted")))
                shutil.rmtree(copy)
    median = {name: statistics.median(values) for name, values in seconds.items()}
    if args.rounds > 1:
        print("medians: " + "; ".join(f"{runs[name][0]}: {value:.1f} s" for name, value in median.items()))
    parallel, split, floor_immediate = median["parallel"], median["split"], median["floor_immediate"]
    print(f"speed-up over serial nbgrader: {median['serial'] / parallel:.2f}x")
    differ = sorted(student for student, cells in scores["serial"].items() if cells != scores["parallel"].get(student))
    print(f"every graded cell's score identical to serial nbgrader's for all {len(scores['serial'])} students"
          if not differ else f"scores DIFFER from serial nbgrader's for {len(differ)} students: {', '.join(differ)}")
    print(f"this machine's own scaling: the split floor is {floor_immediate / split:.2f}x faster than the serial "
          f"one; pm-course grade takes {100 * (parallel / split - 1):+.0f}% over the split floor")
    for label, name in (("graceful", "floor"), ("immediate", "floor_immediate")):
        ideal = median[name] / workers
        print(f"overhead over floor ({label}) / workers ({ideal:.1f} s): {100 * (parallel / ideal - 1):+.0f}%")
    for label, times in per_notebook.items():
        middle, slowest = statistics.median(times), max(times)
        stalls = sum(1 for value in times if value > 2 * middle)
        print(f"per notebook with nbclient, {label} shutdown: median {middle:.2f} s, slowest {slowest:.2f} s "
              f"({slowest / middle:.1f}x the median), {stalls} over twice the median")
    print(f"throughput of pm-course grade with feedback: {3600 * args.students / median['feedback']:.0f} "
          "submissions per hour")
    return 0


if __name__ == "__main__":
    sys.exit(main())
