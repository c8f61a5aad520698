"""What ``pm-course grade`` and ``pm-course feedback`` do after grading, and how they say it: feedback for final
grades, the exports, and a summary an instructor can act on (what is final, what waits for hand grading, what
could not be graded and why)."""
from __future__ import annotations

import argparse

from course.errors import CourseError
from course.grading.pipeline.course_folder import CourseFolder
from course.grading.pipeline.submission_files import printable

FORMGRADER = "JupyterLab's Nbgrader menu > Formgrader, or /formgrader on the Jupyter server"


def grade_and_report(args: argparse.Namespace, course: CourseFolder, workers) -> int:
    """``pm-course grade`` after its checks: import an LMS download, grade, then feedback, exports and summary."""
    from course.grading.pipeline.collect import import_submissions
    from course.grading.pipeline.grade import GRADED, grade_class

    if args.submissions:
        imported = import_submissions(course, args.assignment, args.submissions)
        for line in imported.report_lines():
            print(line)
    run = grade_class(course, args.assignment, args.workers, regrade=args.regrade, progress=not args.quiet,
                      feedback=False, isolate=not args.no_isolation, pool=workers)
    print(f"\nGraded now: {len(run.graded_now)}; already graded and unchanged: {len(run.skipped)}"
          + (f"; graded again because the gradebook had lost their grades: {', '.join(run.regraded)}"
             if run.regraded else ""))
    for stray in run.strays:
        print(f"Not a student, not graded: {stray}")
    graded = sum(1 for result in run.results.values() if result.status == GRADED)
    for line, students in run.check_errors.items():
        # the instructor's check failed, not the students: they score 0 there until it is fixed
        named = ", ".join(students[:5]) + (", ..." if len(students) > 5 else "")
        print(f"Warning: {line}, for {len(students)} of {graded} graded students ({named}): they score 0 there. "
              f"Fix the check, then run 'pm-course grade {args.assignment} --regrade'.")
    return feedback_and_exports(args, course, args.assignment, run.results, args.feedback, args.workers)


def feedback_and_exports(args: argparse.Namespace, course: CourseFolder, assignment: str, results: dict,
                         feedback_mode: str, workers: int = 1, force_feedback: bool = False) -> int:
    """Write feedback (``final``: final grades only; ``provisional``: also the rest, saying what is pending;
    ``none``), then the exports, and print the summary. Returns the exit status."""
    from course.grading.pipeline.exports import export_grades
    from course.grading.pipeline.feedback_release import update_feedback
    from course.grading.pipeline.grade import summary_table
    from course.grading.pipeline.gradebook import grade_states

    feedback_run = None
    if feedback_mode != "none":
        feedback_run = update_feedback(course, assignment, results, provisional=feedback_mode == "provisional",
                                       force=force_feedback, workers=workers)
    states = grade_states(course.gradebook_url, assignment, list(results))
    summary = summary_table(course, assignment, results, states)
    exported = export_grades(course, assignment, summary, args.out or course.root / "exports" / assignment,
                             args.roster, args.lms_assignment)
    print_summary(summary)
    counts = summary["grade"].value_counts()
    final, provisional = int(counts.get("final", 0)), int(counts.get("provisional", 0))
    print(f"\nGrades: {final} final, {provisional} provisional" + (
        f" (written answers still to grade: {FORMGRADER}; then run 'pm-course feedback {assignment}')"
        if provisional else ""))
    if feedback_run is not None:
        _print_feedback(feedback_run, assignment)
    print(f"Exports ({exported.final} final grade(s); provisional and missing grades are left out so the LMS keeps "
          "what it has): " + ", ".join(str(path) for path in exported.paths.values()))
    for warning in exported.warnings:
        print(f"Warning: {warning}")
    if not (summary["status"] != "no submission").any():
        print(f"pm-course: nobody handed in {assignment}: every student is 'no submission'")
        return 1
    return 0


def print_summary(summary) -> None:
    import pandas as pd

    counts = summary["status"].value_counts().to_dict()
    print("Status: " + ", ".join(f"{status}: {count}" for status, count in sorted(counts.items())))
    shown = summary.drop(columns=["student_notes"]).copy()
    shown["score"] = [f"{score:g}" if pd.notna(score) else "" for score in shown["score"]]
    shown["max_score"] = [f"{score:g}" if pd.notna(score) else "" for score in shown["max_score"]]
    for column in ("student", "notes", "pending"):
        shown[column] = [printable(value, 200) for value in shown[column].fillna("")]
    if len(shown):
        print(shown.to_string(index=False))


def _print_feedback(run, assignment: str) -> None:
    parts = []
    if run.generated:
        parts.append(f"written for {len(run.generated)} student(s) whose final grade changed")
    if run.provisional:
        parts.append(f"provisional feedback (saying what is pending) for {len(run.provisional)}")
    if run.unchanged:
        parts.append(f"{len(run.unchanged)} already up to date")
    if run.withheld:
        parts.append(f"withheld for {len(run.withheld)} with a provisional grade (--feedback=provisional to "
                     "send it anyway)")
    if run.withdrawn:
        parts.append(f"withdrawn for {len(run.withdrawn)} whose feedback no longer matched their grade: "
                     + ", ".join(run.withdrawn))
    print("Feedback: " + ("; ".join(parts) if parts else "nothing to write"))
    for student, reason in run.failed.items():
        print(f"Feedback could not be written for {student}: {printable(reason, 200)}")


def require_results(results: dict, course: CourseFolder, assignment: str) -> None:
    if not results:
        raise CourseError(f"{assignment} has not been graded yet in {course.root}: run 'pm-course grade "
                          f"{assignment}' first")
