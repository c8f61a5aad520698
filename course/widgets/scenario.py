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
from course.widgets.base import AnsweringWidget
from course.widgets.output import ShownHtml, replace_output

_NOTE = '<div style="color:#555"><i>{}</i></div>'
_DIRECTION_COLOUR = {"better": "#1a7f37", "worse": "#b00020"}


class ScenarioPlayer(AnsweringWidget):
    """Plays a branching scenario; the path is saved as it is taken, so a reopened notebook resumes it.

    ``answers`` is ``{"path": [...], "ending": ...}`` and ``attempts`` the first complete path, both kept as the
    traits of :class:`~course.widgets.base.AnsweringWidget` (a new value is saved).
    """

    story_html = ShownHtml("_story")
    state_html = ShownHtml("_state")
    history_html = ShownHtml("_history")
    consequence_html = ShownHtml("_consequence")
    ending_html = ShownHtml("_ending")

    def __init__(self, scenario: Scenario | str | Path = "sales-promise", widget_id: str | None = None,
                 folder: str | Path | None = None, **kwargs):
        try:
            loaded, problem = (scenario if isinstance(scenario, Scenario) else load_scenario(scenario)), None
        except DataFileError as error:
            loaded, problem = None, error
        super().__init__(widget_id or f"scenario-{loaded.id if loaded else Path(str(scenario)).stem}", folder,
                         **kwargs)
        self.add_class("pm-scenario")
        self.scenario: Scenario | None = loaded
        self.run: ScenarioRun | None = None
        if problem is not None:
            self.say(f"This scenario cannot be played: {problem}")
            self.children = [self.message]
            return
        saved, first = self._read_saved()
        self.attempts = first if isinstance(first.get("path"), list) else {}  # else none yet, or a hand-edited one
        self._shown = dict(self._keeper.section("shown"))
        path, note = restorable_path(self.scenario, saved.get("path"))
        self.run = ScenarioRun(self.scenario, path)
        self.answers = self._path_now()
        if note:
            self.message.value = _NOTE.format(escape(note))
        self._header = widgets.HTML(self._header_html())
        self._state = widgets.HTML()
        self._history = widgets.HTML()
        self._consequence = widgets.HTML()
        self._story = widgets.HTML()
        self._choices = widgets.VBox(layout=widgets.Layout(margin="0.3em 0"))
        self._ending = widgets.HTML()
        self.plot = widgets.Output()
        self.replay_button = widgets.Button(
            description="Play again", icon="refresh",
            tooltip="Play the scenario again from the start (your first path stays recorded)")
        self.replay_button.on_click(lambda _: self.replay())
        self.children = [self._header, self.message, self._state, self._history, self._consequence, self._story,
                         self._choices, self._ending, self.plot, self.replay_button]
        self._keep_from_now(live=True)
        self._render()

    # --- what the learner does -------------------------------------------------------------------------------

    def choose(self, choice_id: str) -> None:
        """Take a choice at the current node, as a click on its button does."""
        self.run.choose(choice_id)
        with self._saving_once():
            if self.run.finished and not self.attempts:
                self.attempts = {"path": list(self.run.path), "ending": self.run.current.id}
            self.answers = self._path_now()
        self._live.send(self.scenario.id, list(self.run.path))  # course.live: only while a live session is open
        self._render()

    def replay(self) -> None:
        """Start again from the first decision (the first complete path stays in ``attempts``)."""
        if self.locked:
            return
        self.run.replay()
        self.answers = self._path_now()
        self._render()

    # --- what tests and lessons read -------------------------------------------------------------------------

    @property
    def locked(self) -> bool:
        """A graded scenario's public form: every decision is final and there is no replay."""
        return self.scenario is not None and not self.scenario.has_key

    @property
    def choice_buttons(self) -> tuple[widgets.Button, ...]:
        """The choices at the current decision (none at an ending, or when the scenario cannot be played)."""
        return tuple(self._choices.children) if self.run is not None else ()

    def _path_now(self) -> dict[str, Any]:
        answers: dict[str, Any] = {"path": list(self.run.path)}
        if self.run.finished:
            answers["ending"] = self.run.current.id
        return answers

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
            replace_output(self.plot, run.plot())
        else:
            self._story.value = (f'<div class="pm-scenario-step"><b>Decision {len(steps) + 1}.</b> '
                                 f"{escape(node.text)}</div>")
            self._choices.children = self._buttons_for(node.id)
            self._ending.value = ""
            self.plot.outputs = ()
        self.replay_button.layout.display = "none" if self.locked or not run.path else None

    def _buttons_for(self, node_id: str) -> list[widgets.Button]:
        node = self.scenario.nodes[node_id]
        order = shuffled(node.choices, self.seed, self.widget_id, node_id)
        ids = [choice.id for choice in order]
        if self._shown.get(node_id) != ids:
            self._shown[node_id] = ids
            self._record_shown(dict(self._shown))  # a damaged file is replaced only when the learner chooses
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
        # room between the columns (the notebook's own table style does not reach a widget's HTML)
        return ('<table class="pm-scenario-state" style="border-collapse:separate;border-spacing:1.2em 0.15em;'
                'margin:0.3em 0">'
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
            parts.append(f"<div>Review {scenario.see.html(self.folder)}.</div>")
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
                         f"Review {line.misconception.see.html(self.folder)}.")
        return f"<li>{' '.join(parts)}</li>"


def _history_html(steps: list[Step]) -> str:
    if not steps:
        return ""
    items = "".join(f"<li>{escape(step.node.text)} <br>→ <i>{escape(step.choice.label)}</i></li>" for step in steps)
    return (f'<details style="color:#555"><summary>Your earlier decisions ({len(steps)})</summary>'
            f"<ol>{items}</ol></details>")
