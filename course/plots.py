"""The course's plots, each returned with alternative text for screen readers.

Figures are built with matplotlib's object API (not pyplot), so nothing is shown
twice; a lesson displays the returned :class:`AccessibleFigure`, which renders as an
``<img>`` with an ``alt`` attribute and a visible caption.
"""
from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Sequence

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from course.exercises.tradeoff import ReleaseModel, ReleaseOutcome, simulate_release

if TYPE_CHECKING:
    from course.exercises.scenario import Scenario

PALETTE = ("#1b6ca8", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d6a9f")
# One colour per Tallyworks product in every plot of every lesson (each at least 3:1 against white).
PRODUCT_COLOURS = {"Ledger": "#1b6ca8", "Ledger Mobile": "#00798c", "Shopfront": "#d1495b",
                   "Clinic Records": "#9c6500"}
_SPARE_COLOURS = ("#8d6a9f", "#4d7f43", "#6b6b6b")
ARROW = dict(arrowstyle="-|>", mutation_scale=11, color="#555555", lw=1.1, shrinkA=5, shrinkB=5)


def product_colour(product: str) -> str:
    """The product's colour, the same in every plot (a product the course does not know gets a spare one)."""
    if product in PRODUCT_COLOURS:
        return PRODUCT_COLOURS[product]
    return _SPARE_COLOURS[sum(map(ord, product)) % len(_SPARE_COLOURS)]


class AccessibleFigure:
    """A matplotlib figure together with the text a screen reader reads in its place."""

    def __init__(self, figure: Figure, alt: str):
        self.figure, self.alt = figure, alt
        self._png: bytes | None = None

    def png(self) -> bytes:
        """The figure as PNG, drawn once (a notebook asks for it twice: inside the HTML and as the image itself)."""
        if self._png is None:
            buffer = io.BytesIO()
            self.figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
            self._png = buffer.getvalue()
        return self._png

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.png()).decode()
        return (f'<figure><img src="data:image/png;base64,{data}" alt="{escape(self.alt)}" style="max-width:100%">'
                f"<figcaption><i>Figure: {escape(self.alt)}</i></figcaption></figure>")

    def _repr_png_(self) -> bytes:
        return self.png()


def lifecycle_timeline(portfolio: pd.DataFrame, product: str) -> AccessibleFigure:
    """The product manager's single bar across a product's life, above one bar per project and its manager.

    Project bars take the product's colour (:data:`PRODUCT_COLOURS`); each row names its project and manager at the
    left, so the time axis ends where the record ends.
    """
    projects = portfolio[portfolio["product"] == product].sort_values("start")
    if projects.empty:
        raise ValueError(f"no projects for product {product!r}")
    figure = Figure(figsize=(9, 0.42 * len(projects) + 1.5))
    axes = figure.subplots()
    managers = list(dict.fromkeys(projects["project_manager"]))
    first, last = projects["start"].min(), projects["end"].max()
    rows = len(projects)
    product_manager = projects["product_manager"].iloc[0]
    axes.barh(rows, (last - first).days, left=first, color="#333333", height=0.6)
    labels = {rows: f"product manager: {product_manager}"}
    for row, project in enumerate(projects.itertuples()):
        y = rows - 1 - row
        axes.barh(y, (project.end - project.start).days, left=project.start, color=product_colour(product),
                  height=0.6)
        labels[y] = f"{project.project} ({project.project_manager})"
    axes.set_yticks(list(labels), list(labels.values()), fontsize=8)
    axes.tick_params(axis="y", length=0)
    axes.set_title(f"{product}: one product manager, {len(managers)} project managers")
    axes.spines[["left", "right", "top"]].set_visible(False)
    margin = (last - first) * 0.02
    axes.set_xlim(first - margin, last + margin)
    figure.tight_layout()
    alt = (f"Timeline of {product} from {first:%Y} to {last:%Y}. One dark bar for the product manager, "
           f"{product_manager}, spans the whole period. Below it {rows} shorter bars, one per "
           f"project, are led by {len(managers)} different project managers ({', '.join(managers)}), each bar "
           "starting and ending while the product manager's bar continues.")
    return AccessibleFigure(figure, alt)


def dependency_network(portfolio: pd.DataFrame, products: list[str] | None = None) -> AccessibleFigure:
    """Projects placed by start date in one lane per product, with an arrow from each prerequisite.

    Within a lane, projects whose labels would touch go on different sub-rows; each product keeps its colour.
    """
    chosen = portfolio if products is None else portfolio[portfolio["product"].isin(products)]
    lanes = list(dict.fromkeys(chosen.sort_values("start")["product"]))
    figure = Figure(figsize=(10, 1.5 * len(lanes) + 1))
    axes = figure.subplots()
    span_days = max((chosen["start"].max() - chosen["start"].min()).days, 1)
    gap = pd.Timedelta(days=span_days * 0.035)  # about the width of a label at this scale
    position = {}
    for lane, product in enumerate(lanes):
        last_on_row: dict[int, pd.Timestamp] = {}
        for project in chosen[chosen["product"] == product].sort_values("start").itertuples():
            row = next(row for row in (0, 1, -1, 2, -2) if row not in last_on_row
                       or project.start - last_on_row[row] >= gap or row == -2)
            last_on_row[row] = project.start
            position[project.project_id] = (project.start, len(lanes) - 1 - lane + 0.17 * row)
    arrows = 0
    for project in chosen.itertuples():
        for prerequisite in project.depends_on:
            if prerequisite in position:
                axes.annotate("", xy=position[project.project_id], xytext=position[prerequisite], arrowprops=ARROW,
                              zorder=2)
                arrows += 1
    for product in lanes:
        for project in chosen[chosen["product"] == product].itertuples():
            x, y = position[project.project_id]
            axes.scatter([x], [y], s=55, color=product_colour(product), zorder=3, edgecolor="white", linewidth=0.8)
            axes.annotate(project.project_id, (x, y), textcoords="offset points", xytext=(0, 6), ha="center",
                          va="bottom", fontsize=8, zorder=4,
                          bbox=dict(boxstyle="round,pad=0.1", facecolor="white", edgecolor="none", alpha=0.8))
    axes.set_yticks(range(len(lanes)), list(reversed(lanes)))
    for label, product in zip(axes.get_yticklabels(), reversed(lanes), strict=True):
        label.set_color(product_colour(product))
    axes.set_ylim(-0.6, len(lanes) - 0.4)
    axes.set_title("Projects by start date, one lane per product; arrows run from a prerequisite to what needs it")
    axes.spines[["right", "top"]].set_visible(False)
    crossing = sum(1 for project in chosen.itertuples() for prerequisite in project.depends_on
                   if prerequisite in position and chosen.set_index("project_id").at[prerequisite, "product"]
                   != project.product)
    alt = (f"Network of {len(chosen)} projects in {len(lanes)} product lanes ({', '.join(lanes)}), each placed at "
           f"its start date. {arrows} arrows link prerequisites to the projects that need them; {crossing} of them "
           "cross from one product's lane to another's, so those projects cannot be planned product by product.")
    return AccessibleFigure(figure, alt)


@dataclass(frozen=True)
class TradeoffCurve:
    """Every scope from 0 to ``max_features`` features under one deadline and budget, and what the curve shows."""

    deadline_weeks: float
    budget_k: float
    outcomes: tuple[ReleaseOutcome, ...]
    cancel_limit_k: float

    @classmethod
    def compute(cls, deadline_weeks: float, budget_k: float, max_features: int = 30,
                model: ReleaseModel = ReleaseModel()) -> TradeoffCurve:
        outcomes = tuple(simulate_release(n, deadline_weeks, budget_k, model) for n in range(max_features + 1))
        return cls(deadline_weeks, budget_k, outcomes, model.cancel_at_budget_ratio * budget_k)

    @property
    def best(self) -> ReleaseOutcome:
        """The scope with the most value (the smallest on a tie), as :func:`course.exercises.tradeoff.best_scope` finds
        it."""
        return max(self.outcomes, key=lambda outcome: (outcome.value, -outcome.features))

    def first(self, condition) -> ReleaseOutcome | None:
        return next((outcome for outcome in self.outcomes if condition(outcome)), None)

    def caption(self, current: int | None = None) -> str:
        """What the curve shows, in words that agree with it (and with the cancellation rule) for these numbers."""
        best = self.best
        cancelled = self.first(lambda outcome: outcome.cancelled)
        late = self.first(lambda outcome: outcome.slip_weeks > 0)
        worthless_late = self.first(lambda outcome: outcome.slip_weeks > 0 and not outcome.cancelled
                                    and outcome.value == 0 and outcome.features > 0)
        parts = [f"Customer value against the number of features, for a deadline of {self.deadline_weeks:g} weeks and "
                 f"a budget of {self.budget_k:g}k. Value rises with each feature up to the best scope, "
                 f"{best.describe(self.budget_k)}."]
        after_best = self.outcomes[best.features + 1] if best.features + 1 < len(self.outcomes) else None
        if after_best is not None and not after_best.cancelled:
            parts.append("Beyond it, each added feature makes the release later and value falls"
                         + (f", to zero at {worthless_late.features} features" if worthless_late else "") + ".")
        if cancelled is not None:
            parts.append(f"From {cancelled.features} features the cost passes {self.cancel_limit_k / self.budget_k:g} "
                         f"times the budget ({self.cancel_limit_k:g}k): the release is cancelled and value drops to "
                         "zero.")
        if late is None:
            parts.append("The dashed line shows weeks late: zero for every scope shown.")
        elif late.features <= 1:
            parts.append("The dashed line shows weeks late, rising from the first feature.")
        else:
            parts.append(f"The dashed line shows weeks late: zero up to {late.features - 1} features, then rising.")
        if current is not None:
            parts.append(f"Marked: your scope, {self.outcomes[current].describe(self.budget_k)}.")
        return " ".join(parts)


def tradeoff_curve(deadline_weeks: float, budget_k: float, max_features: int = 30,
                   model: ReleaseModel = ReleaseModel()) -> AccessibleFigure:
    """Customer value and schedule slip against the number of features, under one deadline and budget."""
    curve = TradeoffCurve.compute(deadline_weeks, budget_k, max_features, model)
    outcomes, best = curve.outcomes, curve.best
    figure = Figure(figsize=(8, 4))
    axes = figure.subplots()
    cancelled = curve.first(lambda outcome: outcome.cancelled)
    if cancelled is not None:
        axes.axvspan(cancelled.features - 0.5, max_features, color=PALETTE[1], alpha=0.08,
                     label="cancelled for cost")
    axes.plot([o.features for o in outcomes], [o.value for o in outcomes], color=PALETTE[0], label="customer value")
    axes.axvline(best.features, color=PALETTE[3], linestyle=":", label=f"best scope: {best.features} features")
    axes.set_xlabel("features in the release")
    axes.set_ylabel("customer value (points)")
    axes.set_xlim(0, max_features)
    slip_axes = axes.twinx()
    slip_axes.plot([o.features for o in outcomes], [o.slip_weeks for o in outcomes], color=PALETTE[1],
                   linestyle="--", label="weeks late")
    slip_axes.set_ylabel("weeks late")
    handles = axes.get_legend_handles_labels()[0] + slip_axes.get_legend_handles_labels()[0]
    axes.legend(handles, [h.get_label() for h in handles], loc="upper left", fontsize=8)
    axes.set_title(f"Deadline {deadline_weeks:g} weeks, budget {budget_k:g}k")
    return AccessibleFigure(figure, "Line chart. " + curve.caption())


def tradeoff_svg(curve: TradeoffCurve, current: int, element_id: str = "pm-tradeoff") -> str:
    """The trade-off curve as a small inline SVG (a few kilobytes) with the learner's current scope marked.

    The simulator redraws it on every slider move, so it is built from the model's numbers directly: a matplotlib
    image costs 50-200 ms to render and about 50 kB to send per move, this about a millisecond and 4 kB. The caption
    is the SVG's accessible name and is shown under it.
    """
    width, height, left, right, top, bottom = 640, 300, 58, 58, 34, 46
    outcomes = curve.outcomes
    most = len(outcomes) - 1
    value_top, value_step = _axis(max(o.value for o in outcomes))
    slip_top, slip_step = _axis(max(o.slip_weeks for o in outcomes))

    def x(features: float) -> float:
        return left + (width - left - right) * features / most

    def y(value: float, scale: float) -> float:
        return height - bottom - (height - top - bottom) * value / scale

    def points(values: list[float], scale: float) -> str:
        return " ".join(f"{x(n):.1f},{y(v, scale):.1f}" for n, v in enumerate(values))

    caption = curve.caption(current)
    parts = [f'<svg id="{element_id}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="100%" style="max-width:{width}px" role="img" aria-label="{escape(caption)}" '
             'font-family="sans-serif" font-size="12">']
    cancelled = curve.first(lambda outcome: outcome.cancelled)
    if cancelled is not None:
        start = x(max(cancelled.features - 0.5, 0))
        parts.append(f'<rect x="{start:.1f}" y="{top}" width="{x(most) - start:.1f}" height="{height - top - bottom}" '
                     f'fill="{PALETTE[1]}" fill-opacity="0.09"/>'
                     f'<text x="{x(most) - 4:.1f}" y="{top + 14}" text-anchor="end" fill="#8c1c2b" {_HALO}>'
                     'cancelled for cost</text>')
    for tick in _range(value_top, value_step):
        level = y(tick, value_top)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{level:.1f}" y2="{level:.1f}" stroke="#e4e4e4"/>'
                     f'<text x="{left - 6}" y="{level + 4:.1f}" text-anchor="end" fill="#333">{tick:g}</text>')
    for tick in _range(slip_top, slip_step):
        parts.append(f'<text x="{width - right + 6}" y="{y(tick, slip_top) + 4:.1f}" fill="#8c1c2b">{tick:g}</text>')
    for tick in range(0, most + 1, 5):
        parts.append(f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{height - bottom}" y2="{height - bottom + 4}" '
                     f'stroke="#333"/><text x="{x(tick):.1f}" y="{height - bottom + 17}" text-anchor="middle" '
                     f'fill="#333">{tick}</text>')
    best = curve.best
    parts += [
        f'<line x1="{left}" x2="{width - right}" y1="{height - bottom}" y2="{height - bottom}" stroke="#333"/>',
        f'<polyline points="{points([o.slip_weeks for o in outcomes], slip_top)}" fill="none" stroke="{PALETTE[1]}" '
        'stroke-width="2" stroke-dasharray="6 4"/>',
        f'<polyline points="{points([o.value for o in outcomes], value_top)}" fill="none" stroke="{PALETTE[0]}" '
        'stroke-width="2.5"/>',
        f'<line x1="{x(best.features):.1f}" x2="{x(best.features):.1f}" y1="{top}" y2="{height - bottom}" '
        f'stroke="{PALETTE[3]}" stroke-width="2" stroke-dasharray="2 3"/>',
        f'<text x="{x(best.features) + 4:.1f}" y="{top - 6}" fill="#00586a">best: {best.features}</text>',
        f'<line x1="{x(current):.1f}" x2="{x(current):.1f}" y1="{top}" y2="{height - bottom}" stroke="#222" '
        'stroke-width="1.5"/>',
        f'<circle cx="{x(current):.1f}" cy="{y(outcomes[current].value, value_top):.1f}" r="5.5" fill="#222"/>',
        f'<text x="{x(current) - 4:.1f}" y="{top - 6}" text-anchor="end" fill="#222">yours: {current}</text>',
        f'<text x="{(left + width - right) / 2:.1f}" y="{height - 8}" text-anchor="middle" fill="#333">'
        'features in the release</text>',
        f'<text transform="translate(15 {(top + height - bottom) / 2:.1f}) rotate(-90)" text-anchor="middle" '
        f'fill="{PALETTE[0]}">customer value (points, solid)</text>',
        f'<text transform="translate({width - 12} {(top + height - bottom) / 2:.1f}) rotate(90)" '
        'text-anchor="middle" fill="#8c1c2b">weeks late (dashed)</text>',
        "</svg>"]
    return (f'<figure style="margin:0.5em 0">{"".join(parts)}'
            f'<figcaption style="max-width:{width}px;font-size:90%"><i>Figure: {escape(caption)}</i></figcaption>'
            "</figure>")


# White outline behind a label, so a line crossing it leaves it readable.
_HALO = 'paint-order="stroke" stroke="#ffffff" stroke-width="4" stroke-linejoin="round"'


def _range(top: float, step: float) -> list[float]:
    return [round(step * index, 6) for index in range(int(round(top / step)) + 1)]


def _axis(largest: float) -> tuple[float, float]:
    """A round top for an axis that reaches ``largest``, and its tick step (1, 2, 2.5 or 5 times a power of ten)."""
    rough = max(largest, 1) / 5
    power = 10 ** math.floor(math.log10(rough))
    step = next(factor * power for factor in (1, 2, 2.5, 5, 10) if factor * power >= rough)
    return math.ceil(max(largest, 1) / step) * step, step


def program_map(projects, grouping) -> AccessibleFigure:
    """One bar per project from its start to its end, coloured by the learner's programs, with dependency arrows.

    An arrow runs from a prerequisite to the start of the project that needs it: solid where both were under way at
    once (a link, what makes a program), dashed where the prerequisite had ended first (a hand-off). Projects
    without dates are placed by how many prerequisites come before them. Names stand at the left, one row each.
    """
    depth: dict[str, int] = {}

    def level(project_id: str, trail: frozenset = frozenset()) -> int:
        if project_id not in depth:
            prerequisites = [p for p in projects[project_id].depends_on if p in projects and p not in trail]
            depth[project_id] = 1 + max((level(p, trail | {project_id}) for p in prerequisites), default=-1)
        return depth[project_id]

    for project_id in projects:
        level(project_id)
    dated = all(project.start and project.end for project in projects.values())
    span = {project_id: ((pd.Timestamp(project.start), pd.Timestamp(project.end)) if dated
                         else (depth[project_id], depth[project_id] + 0.8))
            for project_id, project in projects.items()}
    # Rows: projects tied by dependencies (links or hand-offs) stay together, so every arrow stays short.
    family: dict[str, str] = {project_id: project_id for project_id in projects}

    def root(project_id: str) -> str:
        while family[project_id] != project_id:
            project_id = family[project_id]
        return project_id

    for project in projects.values():
        for prerequisite in project.depends_on:
            if prerequisite in projects:
                family[root(project.id)] = root(prerequisite)
    first_start = {}
    for project_id in projects:
        first_start[root(project_id)] = min(first_start.get(root(project_id), span[project_id][0]),
                                            span[project_id][0])
    order = sorted(projects, key=lambda p: (first_start[root(p)], root(p), span[p][0], p))
    row = {project_id: len(order) - 1 - index for index, project_id in enumerate(order)}
    labels = sorted({label for label in grouping.values() if label})
    colour = {label: PALETTE[i % len(PALETTE)] for i, label in enumerate(labels)}
    figure = Figure(figsize=(9, 0.38 * len(projects) + 1.9))
    axes = figure.subplots()
    for project_id in order:
        start, end = span[project_id]
        label = grouping.get(project_id)
        axes.barh(row[project_id], end - start, left=start, height=0.55, color=colour.get(label, "#e3e3e3"),
                  edgecolor="#333333", linewidth=0.8, zorder=2)
    linked = handed_off = 0
    for project in projects.values():
        for prerequisite in project.depends_on:
            if prerequisite not in projects:
                continue
            together = project.runs_alongside(projects[prerequisite])
            start = span[project.id][0]
            origin = min(span[prerequisite][1], start)
            style = dict(ARROW, linestyle="-" if together else "--", color="#222222" if together else "#777777")
            axes.annotate("", xy=(start, row[project.id]), xytext=(origin, row[prerequisite]), arrowprops=style,
                          zorder=3)
            linked += together
            handed_off += not together
    names = {row[p]: f"{p} {projects[p].name}" for p in order}
    axes.set_yticks(list(names), list(names.values()), fontsize=8)
    axes.tick_params(axis="y", length=0)
    axes.spines[["left", "right", "top"]].set_visible(False)
    if not dated:
        axes.set_xticks([])
    handles = [Patch(facecolor=colour[label], edgecolor="#333333", label=label) for label in labels]
    handles.append(Patch(facecolor="#e3e3e3", edgecolor="#333333", label="not yet grouped"))
    handles += [Line2D([], [], color="#222222", label="needs it while both run (a link)"),
                Line2D([], [], color="#777777", linestyle="--", label="needs it after it ended (a hand-off)")]
    axes.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.08 if dated else -0.02), ncol=3,
                fontsize=8, frameon=False)
    axes.set_title("Your grouping (colours) and the dependencies (arrows), one bar per project")
    figure.tight_layout()
    members = {label: ", ".join(sorted(p for p, g in grouping.items() if g == label)) for label in labels}
    grouped = ", ".join(f"{label}: {projects_in}" for label, projects_in in members.items())
    alt = (f"Timeline of {len(projects)} projects, one bar each from start to end, with arrows from each prerequisite "
           f"to the project that needs it: {linked} solid arrows where both ran at the same time and {handed_off} "
           f"dashed ones where the prerequisite had ended first. Your grouping so far: "
           f"{grouped or 'nothing grouped yet'}.")
    return AccessibleFigure(figure, alt)


def scenario_paths(scenario: Scenario, path: Sequence[str]) -> AccessibleFigure:
    """Each state variable of a scenario along the path taken, against the best path (when the file has a key)."""
    taken = scenario.states_along(path)
    best = scenario.states_along(scenario.best_path()) if scenario.has_key else None
    variables = scenario.state
    figure = Figure(figsize=(3.4 * len(variables), 3.1))
    axes_row = figure.subplots(1, len(variables), squeeze=False)[0]
    longest = max(len(taken), len(best) if best else 0)
    for axes, variable in zip(axes_row, variables, strict=True):
        axes.plot(range(len(taken)), [state[variable.id] for state in taken], color=PALETTE[0], marker="o",
                  label="your path")
        if best is not None:
            axes.plot(range(len(best)), [state[variable.id] for state in best], color=PALETTE[3], marker="s",
                      linestyle="--", label="best path")
        axes.set_title(f"{variable.label} ({variable.better} is better)", fontsize=9)
        axes.set_xticks(range(longest), ["start", *(str(n) for n in range(1, longest))])
        axes.set_xlabel("decision", fontsize=8)
        if variable.unit:
            axes.set_ylabel(variable.unit, fontsize=8)
        values = [state[variable.id] for state in taken + (best or [])]
        if all(float(value).is_integer() for value in values):
            axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        if min(values) == max(values):  # a flat line: show a range around it, not hairline ticks
            axes.set_ylim(min(values) - 1, max(values) + 1)
        else:
            axes.margins(y=0.25)
        axes.spines[["right", "top"]].set_visible(False)
    axes_row[0].legend(fontsize=8, loc="best")
    figure.suptitle(scenario.title, fontsize=10)
    figure.tight_layout()
    ends = []
    for variable in variables:
        mine = variable.show(taken[-1][variable.id])
        if best is None:
            ends.append(f"{variable.label} went from {variable.show(variable.start)} to {mine}")
        else:
            ends.append(f"{variable.label} ended at {mine} on your path and {variable.show(best[-1][variable.id])} "
                        f"on the best path ({variable.better} is better)")
    decisions = f"{len(taken) - 1} decision{'s' * (len(taken) != 2)}"
    if best is not None and list(path) == list(scenario.best_path()):
        ends.insert(0, "you took the best path, so the lines coincide")
    if best is None:
        alt = (f"Line charts, one per state variable of the scenario '{scenario.title}', along your path of "
               f"{decisions}: " + "; ".join(ends) + ".")
    else:
        alt = (f"Line charts, one per state variable of the scenario '{scenario.title}', comparing your path of "
               f"{decisions} (solid line) with the best path of {len(best) - 1} decisions (dashed line): "
               + "; ".join(ends) + ".")
    return AccessibleFigure(figure, alt)
