"""The scenario player view: read a step, pick a choice, and get a scored debrief at the end."""
from __future__ import annotations

from html import escape
from pathlib import Path

import ipywidgets as widgets

from ..scenario import Scenario, ScenarioRun, load_scenario
from .saving import AnswerKeeper


class ScenarioPlayer(widgets.VBox):
    """Plays a branching scenario; the path is saved as it is taken, so a reopened notebook resumes it."""

    def __init__(self, scenario: Scenario | str = "sales-promise", widget_id: str | None = None,
                 folder: str | Path | None = None, **kwargs):
        super().__init__(**kwargs)
        self.scenario = load_scenario(scenario) if isinstance(scenario, str) else scenario
        self._folder = Path(folder) if folder is not None else Path.cwd()
        self._keeper = AnswerKeeper(widget_id or f"scenario-{self.scenario.id}", self._folder)
        saved = self._keeper.restore().get("path", [])
        self.run = ScenarioRun(self.scenario, [i for i in saved if isinstance(i, int)] if isinstance(saved, list)
                               else [])
        self._story = widgets.HTML()
        self._choices = widgets.VBox()
        self._restart = widgets.Button(description="Start again", icon="refresh")
        self._restart.on_click(lambda _: self.restart())
        self.children = [widgets.HTML(f"<h4>{escape(self.scenario.title)}</h4>"), self._keeper.message,
                         self._story, self._choices, self._restart]
        self._render()

    def choose(self, index: int) -> None:
        self.run.choose(index)
        self._keeper.save({"path": list(self.run.path)})
        self._render()

    def restart(self) -> None:
        self.run = ScenarioRun(self.scenario)
        self._keeper.save({"path": []})
        self._render()

    @property
    def story_html(self) -> str:
        return self._story.value

    def _render(self) -> None:
        node = self.run.current
        past = "".join(f"<p style='color:#666'>{escape(n.text)}<br>→ <i>{escape(c.label)}</i></p>"
                       for n, c in self.run.steps())
        if node.ending:
            best = self.scenario.best_points()
            lines = "".join(f"<li>{escape(line)}</li>" for line in self.run.debrief())
            review = f"<div>Review {self.scenario.see.html(self._folder)}.</div>" if self.scenario.see else ""
            self._story.value = (f"{past}<p><b>{escape(node.text)}</b></p><p><b>Your path scored {self.run.points} "
                                 f"of {best} points.</b></p><ul>{lines}</ul>{review}")
            self._choices.children = []
        else:
            self._story.value = f"{past}<p><b>{escape(node.text)}</b></p>"
            buttons = []
            for index, choice in enumerate(node.choices):
                button = widgets.Button(description=choice.label, layout=widgets.Layout(width="auto"),
                                        tooltip=choice.label)
                button.on_click(lambda _, i=index: self.choose(i))
                buttons.append(button)
            self._choices.children = buttons
