"""Student HTML made inert wherever it is rendered (formgrader, the feedback), in time linear in its size.

nbconvert cleans HTML with bleach, whose html5lib parser takes time quadratic in the number of elements: an answer
or an output of 120 kB of ``<b>`` took 18 to 31 s to clean in the feedback and 9 to 21 s in formgrader's page, one
of 1 MB hours, in the grader's process and in the instructor's Jupyter server, outside every limit of the sandbox.
So the course cleans with nh3 (the Rust sanitizer ammonia, maintained, linear: 3 MB in a third of a second) and its
own allow-lists of tags, attributes and URL schemes, the whole of nbconvert's ``clean_html`` filter and of its
``SanitizeHTML`` preprocessor replaced (``nbgrader_config.py`` names them in ``HTMLExporter.filters`` and in both
preprocessor lists).

Two holes nbconvert's own sanitizing leaves, closed here:

* nbgrader's formgrade and feedback templates render Markdown cells with ``markdown2html`` and no ``clean_html``, and
  ``SanitizeHTML`` cleans a Markdown cell's *source* as HTML, where a Markdown link is only text: a written answer's
  ``[read more](javascript:...)`` became a live ``javascript:`` link in formgrader, on the Jupyter server's origin.
  :class:`SafeMarkdown2HTML` cleans what ``markdown2html`` made, whatever the Markdown that made it.
* nbconvert writes an image output's ``width`` and ``height`` metadata into its ``<img>`` tag unquoted, so a width of
  ``1 onerror=...`` was an event handler in formgrader's page. :class:`SafeHTML` keeps, of an output's metadata, only
  whole numbers for an image's size and the two flags the templates read; nothing else of it reaches a page.

And what a page shows is bounded, since no sanitizer is linear in everything: ammonia too takes time quadratic in the
*nesting* of some elements (300,000 nested ``<div>`` took it 8 minutes), and nbconvert walks every element of the
finished page with BeautifulSoup (2 MB of code, highlighted into 2 million elements, took 4 minutes). So HTML of more
than :data:`MAX_TAGS` tags is shown as text, a student's cell shows at most :data:`CELL_SOURCE` characters of its
source and the notebook :data:`NOTEBOOK_SOURCE`, its outputs at most :data:`OUTPUT_TEXT` characters and
:data:`OUTPUT_TAGS` tags in all, the rest named in a note. This bounds what is shown, never what is graded (the
autograded notebook keeps everything); the instructor's own cells are always shown whole.
"""
from __future__ import annotations

import html
import re
from typing import Any

import nh3
from jinja2 import pass_context
from nbconvert.preprocessors.sanitize import SanitizeHTML
from nbformat.v4 import new_output
from traitlets.config import LoggingConfigurable

from course.grading.nbgrader_plugins.cells import is_students

IMAGE_TYPES = ("image/png", "image/jpeg")
# what a student may show in formgrader and the feedback: ammonia's own allow-list of tags and attributes, and a
# class on any element (tables from pandas, nbconvert's anchor links); no style, no id (no DOM clobbering)
TAGS = set(nh3.ALLOWED_TAGS)
ATTRIBUTES = {tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()} | {"*": {"class"}}
URL_SCHEMES = {"http", "https", "mailto", "data"}  # data: only for an image's source (see _attribute)
IMAGE_DATA = ("data:image/png;", "data:image/jpeg;", "data:image/gif;", "data:image/webp;")
MAX_TAGS = 2_000            # tags in one piece of HTML cleaned (a cell, an output): more is shown as text
CELL_SOURCE = 20_000        # characters shown of one student cell's source (an answer of 100 to 200 words: 1,500)
NOTEBOOK_SOURCE = 100_000   # of all the student's cells together (an assignment's whole notebook: under 15,000)
OUTPUT_TEXT = 300_000       # characters shown of every output together
OUTPUT_TAGS = 20_000        # tags of every HTML output together
_TAG = re.compile(r"<[A-Za-z]")


def _attribute(element: str, attribute: str, value: str) -> str | None:
    """A data: URL only as an image's source (a picture attached to a Markdown cell), never as a link."""
    if value.lstrip().lower().startswith("data:") and not (
            element == "img" and attribute == "src" and value.lstrip().lower().startswith(IMAGE_DATA)):
        return None
    return value


def clean_html(element: Any) -> str:
    """HTML with every script, handler, frame, form, style and unsafe URL removed (nbconvert's ``clean_html``); HTML
    of more than :data:`MAX_TAGS` tags is escaped whole instead, shown as its text."""
    text = element.decode("utf-8", "replace") if isinstance(element, bytes) else str(element)
    if tag_count(text) > MAX_TAGS:
        return html.escape(text)
    return nh3.clean(text, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES, attribute_filter=_attribute)


def tag_count(text: str) -> int:
    """How many tags ``text`` opens (``<`` and a letter), counted without parsing it."""
    return sum(1 for _ in _TAG.finditer(text))


class SafeMarkdown2HTML(LoggingConfigurable):
    """The ``markdown2html`` filter: the exporter's own rendering of the Markdown, then :func:`clean_html`.

    Registered through ``HTMLExporter.filters``, so nbconvert makes it with the exporter as its parent and every
    template's ``markdown2html`` (Markdown cells, Markdown outputs) goes through it."""

    jinja_pass_arg = pass_context(lambda context, source: source).jinja_pass_arg  # called with the template context

    def __call__(self, context, source: str) -> str:
        return clean_html(self.parent.markdown2html(context, source))


def image_metadata(metadata: Any) -> dict:
    """Of an output's metadata, what nbconvert's templates may write into a page, checked: per image type, whole
    numbers for ``width`` and ``height``, ``unconfined`` and ``needs_background``; nothing else."""
    kept: dict[str, dict] = {}
    for mimetype in IMAGE_TYPES:
        given = metadata.get(mimetype) if isinstance(metadata, dict) else None
        if not isinstance(given, dict):
            continue
        entry: dict[str, Any] = {name: given[name] for name in ("width", "height")
                                 if type(given.get(name)) is int and given[name] >= 0}
        if given.get("unconfined") is True:
            entry["unconfined"] = True
        if given.get("needs_background") in ("light", "dark"):
            entry["needs_background"] = given["needs_background"]
        if entry:
            kept[mimetype] = entry
    return kept


class SafeHTML(SanitizeHTML):
    """nbconvert's ``SanitizeHTML`` with nh3 for bleach, output metadata reduced to :func:`image_metadata`, Markdown
    cells left to :class:`SafeMarkdown2HTML` (cleaning their source as HTML mangled quotes and code and missed links
    written in Markdown), and what is shown bounded (see the module's docstring)."""

    _instructors = False  # whether the cell being cleaned is the instructor's

    def preprocess(self, nb, resources):
        self._source_left, self._text_left, self._tags_left = NOTEBOOK_SOURCE, OUTPUT_TEXT, OUTPUT_TAGS
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, cell_index):
        self._instructors = not is_students(cell)
        if not self._instructors:
            shown = min(len(cell.source), CELL_SOURCE, self._source_left)
            self._source_left -= shown
            if shown < len(cell.source):
                cell.source = cell.source[:shown] + "\n" + _left_out(len(cell.source) - shown, "characters", cell)
        if cell.cell_type == "markdown":
            return cell, resources
        return super().preprocess_cell(cell, resources, cell_index)

    def sanitize_code_outputs(self, outputs):
        """Every output of an instructor's cell (a test: its error is what the feedback explains), each text cut to
        :data:`MAX_TAGS` characters once the allowance is spent; a student's cell's outputs while it lasts."""
        kept = []
        for output in outputs:
            if "metadata" in output:
                output["metadata"] = image_metadata(output["metadata"])
            if self._text_left <= 0 and not self._instructors:
                continue
            self._bound_texts(output)
            kept.append(output)
        if len(kept) < len(outputs):
            left_out = len(outputs) - len(kept)
            kept.append(new_output("stream", name="stdout", text=f"[{left_out} more outputs not shown here]\n"))
        return super().sanitize_code_outputs(kept)

    def _bound_texts(self, output) -> None:
        """Cut an output's texts to what is left of the notebook's allowance; HTML over its tags shown as text."""
        def cut(text: str) -> str:
            shown = min(len(text), max(self._text_left, MAX_TAGS if self._instructors else 0))
            self._text_left -= shown
            return text if shown == len(text) else text[:shown] + "\n[output cut here: too long to show]"

        if isinstance(output.get("text"), str):
            output["text"] = cut(output["text"])
        if isinstance(output.get("traceback"), list):
            output["traceback"] = [cut(str(line)) for line in output["traceback"][:200]]
        data = output.get("data")
        if isinstance(data, dict):
            texts = [name for name, value in data.items() if name.startswith("text/") and isinstance(value, str)]
            for mimetype in texts:  # (an image is one element of the page, whatever its size)
                data[mimetype] = cut(data[mimetype])
            for mimetype in ("text/html", "text/markdown"):
                if isinstance(data.get(mimetype), str):
                    tags = tag_count(data[mimetype])
                    if tags > min(MAX_TAGS, self._tags_left):
                        shown = data.pop(mimetype)
                        data.setdefault("text/plain", shown)
                    else:
                        self._tags_left -= tags

    def sanitize_html_tags(self, html_str):
        return clean_html(html_str)


def _left_out(count: int, what: str, cell) -> str:
    note = f"[{count:,} more {what} of this cell not shown here: too long]"
    return f"# {note}" if cell.cell_type == "code" else f"*{note}*"
