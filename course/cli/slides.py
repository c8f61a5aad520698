"""Write a lesson as reveal.js slides, for presenting it to a room.

The lesson is executed first in a temporary folder (so its plots, tables and cases appear), then converted with
nbconvert's reveal.js exporter: each section is a slide, long readings continue below it, every quiz question has a
slide of its own, and the speaker notes (press S in the browser) hold the keys, the misconception each wrong option
stands for, and the model answers of the Discuss prompts. Open the HTML file in a browser; reveal.js is loaded from
its CDN unless --reveal-prefix names a local copy.

Examples:
  pm-course slides 03                     # writes ./03-the-third-pm.slides.html
  pm-course slides 05-who-decides-what --output talk/05.html
"""
from __future__ import annotations

import argparse
from pathlib import Path

HELP = "write a lesson as reveal.js slides (HTML), executed first so plots and cases appear"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("lesson", help="the lesson: its number (03, 00b) or its full name (03-the-third-pm)")
    parser.add_argument("--output", type=Path, default=None, metavar="FILE",
                        help="the HTML file to write (default: ./<lesson>.slides.html)")
    parser.add_argument("--no-execute", action="store_true",
                        help="convert without running the lesson (faster; no plots, tables or cases)")
    parser.add_argument("--timeout", type=int, default=120, metavar="SECONDS",
                        help="the longest any one cell may run while the lesson executes (default: %(default)s)")
    parser.add_argument("--reveal-prefix", default=None, metavar="URL",
                        help="where reveal.js is served from, for a room without internet (default: its CDN)")


def run(args: argparse.Namespace) -> int:
    from course.slides import export_slides  # nbconvert and a kernel: only when slides are asked for

    path, slides = export_slides(args.lesson, args.output, execute=not args.no_execute, timeout=args.timeout,
                                 reveal_prefix=args.reveal_prefix)
    print(f"Slides: {path} ({slides} slides; press S in the browser for the speaker notes)")
    return 0
