"""The scenario player view: the learner's role, one decision at a time, its consequence, and a debrief at the end.

Everything it shows is computed by :mod:`course.exercises.scenario` (path, state, points, debrief, plot); this module
only lays it out and saves what the learner does in the answer file beside the notebook:

* ``answers``: ``{"path": [choice ids], "ending": node id once an ending is reached}``, restored on reopening
  (a path saved by a v1 scenario, as choice indexes, is dropped with a note, never a crash);
* ``attempts``: the first complete path (``{"path": [...], "ending": ...}``), which replays never change, for the
  class view;
* ``shown``: per node, the choice ids in the order this learner saw them.

Choices appear in an order drawn per learner and per node (:func:`course.exercises.shuffling.shuffled`), so two learners
see different orders and one learner sees the same order every time. A graded scenario's public form has no key:
the player shows consequences only, every decision is final, and the debrief comes with the instructor's feedback.
"""
from __future__ import annotations

import secrets
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from course.errors import DataFileError
from course.exercises.scenario import (
    OUTCOME_NAMES,
    DebriefLine,
    Scenario,
    ScenarioRun,
    Step,
    load_scenario,
    restorable_path,
)
from course.exercises.shuffling import shuffled
from course.learner.answers import AnswerFileError, AnswerStore
from course.live.client import live_link
from course.widgets.output import replace_output

_WARNING = '<div style="color:#b00020">⚠ {}</div>'
_NOTE = '<div style="color:#555"><i>{}</i></div>'
_DIRECTION_COLOUR = {"better": "#1a7f37", "worse": "#b00020"}


class ScenarioPlayer(widgets.VBox):
    """Plays a branching scenario; the path is saved as it is taken, so a reopened notebook resumes it."""

    def __init__(self, scenario: Scenario | str | Path = "sales-promise", widget_id: str | None = None,
                 folder: str | Path | None = None, **kwargs):
        super().__init__(**kwargs)
        self.add_class("pm-scenario")
        self._folder = Path(folder) if folder is not None else Path.cwd()
        self._message = widgets.HTML()
        self.scenario: Scenario | None = None
        self.run: ScenarioRun | None = None
        try:
            self.scenario = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        except DataFileError as error:
            self._message.value = _WARNING.format(escape(f"This scenario cannot be played: {error}"))
            self.children = [self._message]
            return
        self.widget_id = widget_id or f"scenario-{self.scenario.id}"
        self._store = AnswerStore(self._folder)
        saved, self._first, self._shown, self._damaged = self._saved()
        if not isinstance(self._first.get("path"), list):  # nothing recorded yet, or a hand-edited record
            self._first = {}
        self._seed = f"session:{secrets.token_hex(8)}" if self._damaged else self._store.seed()
        path, note = restorable_path(self.scenario, saved.get("path"))
        self.run = ScenarioRun(self.scenario, path)
        if note:
            self._message.value = _NOTE.format(escape(note))
        self._header = widgets.HTML(self._header_html())
        self._state = widgets.HTML()
        self._history = widgets.HTML()
        self._consequence = widgets.HTML()
        self._story = widgets.HTML()
        self._choices = widgets.VBox(layout=widgets.Layout(margin="0.3em 0"))
        self._ending = widgets.HTML()
        self._plot = widgets.Output()
        self._replay = widgets.Button(description="Play again", icon="refresh",
                                      tooltip="Play the scenario again from the start (your first path stays recorded)")
        self._replay.on_click(lambda _: self.replay())
        self.children = [self._header, self._message, self._state, self._history, self._consequence, self._story,
                         self._choices, self._ending, self._plot, self._replay]
        self._render()
        # Live class view (course.live): on a hub, while the lesson's session is open, the path taken also goes to
        # the instructor; elsewhere live_link gives NOT_LIVE, which sends and shows nothing.
        self._live = live_link(self.widget_id, self)

    # --- what the learner does -------------------------------------------------------------------------------

    def choose(self, choice_id: str) -> None:
        """Take a choice at the current node, as a click on its button does."""
        self.run.choose(choice_id)
        if self.run.finished and not self._first:
            self._first = {"path": list(self.run.path), "ending": self.run.current.id}
        self._save()
        self._live.send(self.scenario.id, list(self.run.path))  # course.live: only while a live session is open
        self._render()

    def replay(self) -> None:
        """Start again from the first decision (the first complete path stays in ``attempts``)."""
        if self.locked:
            return
        self.run.replay()
        self._save()
        self._render()

    # --- what tests and lessons read -------------------------------------------------------------------------

    @property
    def locked(self) -> bool:
        """A graded scenario's public form: every decision is final and there is no replay."""
        return self.scenario is not None and not self.scenario.has_key

    @property
    def choice_buttons(self) -> tuple[widgets.Button, ...]:
        return tuple(self._choices.children)

    @property
    def message_html(self) -> str:
        return self._message.value

    @property
    def story_html(self) -> str:
        return self._story.value

    @property
    def state_html(self) -> str:
        return self._state.value

    @property
    def consequence_html(self) -> str:
        return self._consequence.value

    @property
    def ending_html(self) -> str:
        return self._ending.value

    # --- saving ----------------------------------------------------------------------------------------------

    def _saved(self) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], bool]:
        """(answers, first complete path, shown orders, whether the file is damaged)."""
        try:
            return (self._store.answers_for(self.widget_id), self._store.section_for("attempts", self.widget_id),
                    self._store.section_for("shown", self.widget_id), False)
        except AnswerFileError as error:
            self._message.value = _WARNING.format(escape(str(error)))
            return {}, {}, {}, True

    def _save(self) -> None:
        answers: dict[str, Any] = {"path": list(self.run.path)}
        if self.run.finished:
            answers["ending"] = self.run.current.id
        try:
            self._store.save(self.widget_id, answers, attempts=dict(self._first), shown=dict(self._shown))
        except OSError as error:
            self._message.value = _WARNING.format(escape(
                f"Your path could not be saved ({error}); it is still shown here, but will be lost when the notebook "
                "closes. Check that the folder is writable."))
        else:
            self._damaged = False
            if "⚠" in self._message.value:
                self._message.value = ""

    # --- drawing ---------------------------------------------------------------------------------------------

    def _header_html(self) -> str:
        scenario = self.scenario
        parts = [f"<h4>{escape(scenario.title)}</h4>"]
        if scenario.role_text:
            parts.append(f"<p><b>Your role.</b> {escape(scenario.role_text)}</p>")
        if self.locked:
            parts.append("<p><i>Graded scenario: each decision is final and saved as you make it. You see what each "
                         "choice changes; the debrief comes with your instructor's feedback.</i></p>")
        return "".join(parts)

    def _render(self) -> None:
        run = self.run
        steps = run.steps()
        self._state.value = self._state_table(run.state, len(steps))
        self._history.value = _history_html(steps[:-1] if steps else [])
        self._consequence.value = self._consequence_html(steps[-1]) if steps else ""
        node = run.current
        if node.ending:
            self._story.value = ""
            self._choices.children = []
            self._ending.value = self._ending_html()
            replace_output(self._plot, run.plot())
        else:
            self._story.value = (f'<div class="pm-scenario-step"><b>Decision {len(steps) + 1}.</b> '
                                 f"{escape(node.text)}</div>")
            self._choices.children = self._buttons_for(node.id)
            self._ending.value = ""
            self._plot.outputs = ()
        self._replay.layout.display = "none" if self.locked or not run.path else None

    def _buttons_for(self, node_id: str) -> list[widgets.Button]:
        node = self.scenario.nodes[node_id]
        order = shuffled(node.choices, self._seed, self.widget_id, node_id)
        ids = [choice.id for choice in order]
        if self._shown.get(node_id) != ids:
            self._shown[node_id] = ids
            if not self._damaged:  # a damaged file is replaced only when the learner chooses
                self._save()
        buttons = []
        for number, choice in enumerate(order, start=1):
            button = widgets.Button(description=choice.label, tooltip=f"Choice {number} of {len(order)}: "
                                    f"{choice.label}", layout=widgets.Layout(width="auto", max_width="100%"))
            button.add_class("pm-scenario-choice")
            button.on_click(lambda _, choice_id=choice.id: self._clicked(choice_id))
            buttons.append(button)
        return buttons

    def _clicked(self, choice_id: str) -> None:
        if not self.run.finished and self.run.current.choice(choice_id) is not None:
            self.choose(choice_id)

    def _state_table(self, state: dict[str, float], decisions: int) -> str:
        rows = "".join(
            f'<tr><th scope="row" style="text-align:left">{escape(variable.label)}</th>'
            f"<td>{escape(variable.show(state[variable.id]))}</td>"
            f"<td>{escape(variable.show(variable.start))}</td><td>{variable.better}</td></tr>"
            for variable in self.scenario.state)
        when = "at the start" if not decisions else f"after {decisions} decision{'s' * (decisions != 1)}"
        return ('<table class="pm-scenario-state" style="border-collapse:collapse;margin:0.3em 0">'
                f'<caption style="text-align:left"><b>Where things stand</b> ({when})</caption>'
                '<thead><tr><th scope="col" style="text-align:left">Measure</th><th scope="col">Now</th>'
                '<th scope="col">At the start</th><th scope="col">Better when</th></tr></thead>'
                f"<tbody>{rows}</tbody></table>")

    def _consequence_html(self, step: Step) -> str:
        changes = "".join(
            f'<li style="color:{_DIRECTION_COLOUR[change.direction]}">{escape(change.text())}</li>'
            for change in step.changes(self.scenario.state))
        explanation = f"<div>{escape(step.choice.explanation)}</div>" if step.choice.explanation else ""
        return (f'<div class="pm-scenario-consequence" role="status" aria-live="polite" '
                f'style="border-left:3px solid #1a5fb4;padding-left:0.6em;margin:0.4em 0">'
                f"<div><b>You chose:</b> “{escape(step.choice.label)}”</div>{explanation}"
                f"<ul>{changes}</ul></div>")

    def _ending_html(self) -> str:
        run, scenario, node = self.run, self.scenario, self.run.current
        parts = ['<div class="pm-scenario-ending">']
        if node.outcome:
            parts.append(f"<h4>Outcome: {OUTCOME_NAMES[node.outcome]}</h4>")
        parts.append(f"<p>{escape(node.text)}</p>")
        if not scenario.has_key:
            parts.append("<p><b>Your path is saved for grading.</b> The debrief comes with your instructor's "
                         "feedback.</p></div>")
            return "".join(parts)
        best = scenario.best_points()
        parts.append(f"<p><b>Your path earned {run.points} of {best} points</b> (the best path earns {best}).</p>")
        parts.append("<h5>Debrief</h5><ol>" + "".join(self._debrief_item(line) for line in run.debrief()) + "</ol>")
        labels = [choice.label for _, choice in scenario.follow(scenario.best_path())]
        if list(run.path) != list(scenario.best_path()):
            parts.append("<p><b>The best path:</b> " + " → ".join(f"“{escape(label)}”" for label in labels) + "</p>")
        if scenario.see:
            parts.append(f"<div>Review {scenario.see.html(self._folder)}.</div>")
        parts.append("</div>")
        return "".join(parts)

    def _debrief_item(self, line: DebriefLine) -> str:
        colour = "#b35900" if line.below_best else "#1a7f37"
        parts = [f'<span style="color:{colour}">“{escape(line.choice.label)}”: {line.points} of {line.top_points} '
                 "points.</span>"]
        if line.choice.explanation:
            parts.append(escape(line.choice.explanation))
        if line.below_best:
            parts.append("The strongest choice here: " + " or ".join(f"“{escape(label)}”" for label in
                                                                      line.best_labels) + ".")
        if line.misconception:
            parts.append(f"The belief behind your choice: <i>{escape(line.misconception.belief)}</i> "
                         f"Review {line.misconception.see.html(self._folder)}.")
        return f"<li>{' '.join(parts)}</li>"


def _history_html(steps: list[Step]) -> str:
    if not steps:
        return ""
    items = "".join(f"<li>{escape(step.node.text)} <br>→ <i>{escape(step.choice.label)}</i></li>" for step in steps)
    return (f'<details style="color:#555"><summary>Your earlier decisions ({len(steps)})</summary>'
            f"<ol>{items}</ol></details>")
