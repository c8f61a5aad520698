"""What ``pm-course grade`` prints, made safe for the instructor's terminal.

Student ids, file names and messages come from submissions, and any of them can carry characters a terminal obeys
rather than shows: escape sequences (retitle the window, clear or rewrite the screen, in some terminals answer with
keystrokes), backspaces, right-to-left overrides that show a name reversed. :func:`terminal_safe_output` passes
everything printed while it is active through :func:`escape_controls`, so no print site can forget it; line breaks,
tabs and carriage returns (a progress bar's) stay as they are.
"""
from __future__ import annotations

import sys
import unicodedata
from contextlib import contextmanager
from typing import Iterator, TextIO

_KEPT = {"\n", "\t", "\r", " "}


def escape_controls(text: object) -> str:
    """``text`` with every control, format or separator character shown as an escape (``\\x1b``, ``\\u202e``),
    except line breaks, tabs, carriage returns and spaces."""
    return "".join(character if character in _KEPT or unicodedata.category(character)[0] not in "CZ"
                   else _escaped(character) for character in str(text))


def _escaped(character: str) -> str:
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


class _EscapingStream:
    """A text stream that writes to ``stream`` what it is given, with controls escaped."""

    def __init__(self, stream: TextIO):
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(escape_controls(text))
        return len(text)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


@contextmanager
def terminal_safe_output() -> Iterator[None]:
    """While active, whatever this process prints to standard output or error has its controls escaped."""
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _EscapingStream(sys.stdout), _EscapingStream(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = streams
