"""The ``pm-course`` command: one module per subcommand, each with ``add_arguments`` and ``run``."""
from __future__ import annotations

import argparse
import sys

from course.processes.deferred_imports import defer_iri_grammar

defer_iri_grammar()  # before anything imports jsonschema

from course.cli import collect, feedback, grade, live, progress, report, scenario, slides, start, status  # noqa: E402
from course.errors import CourseError  # noqa: E402

SUBCOMMANDS = {"start": start, "progress": progress, "collect": collect, "grade": grade, "status": status,
               "feedback": feedback, "report": report, "scenario": scenario, "slides": slides, "live": live}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pm-course",
        description="A Jupyter course on product, project and program management.",
        epilog="Run 'pm-course COMMAND --help' for the options of one command.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in SUBCOMMANDS.items():
        sub = commands.add_parser(name, help=module.HELP, description=module.__doc__,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    passthrough: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, passthrough = argv[:cut], argv[cut + 1:]
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    args.passthrough = passthrough
    try:
        return args.run(args) or 0
    except CourseError as error:
        print(f"pm-course: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("pm-course: interrupted; run the same command again to go on (finished work is kept)", file=sys.stderr)
        return 130
