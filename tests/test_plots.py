"""Are the course's plots readable: labels apart, arrows with heads, time axes ending with the record, one colour
per product in every lesson?"""
from __future__ import annotations

import itertools

import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.text import Annotation

from course.content.portfolio import load_portfolio
from course.plots import PRODUCT_COLOURS, dependency_network, lifecycle_timeline, program_map
from course.widgets.program_mapper import portfolio_projects


@pytest.fixture(scope="module")
def portfolio() -> pd.DataFrame:
    return load_portfolio()


def drawn(figure):
    """Draw the figure as the PNG is drawn, so text has its final place; return the renderer."""
    canvas = FigureCanvasAgg(figure.figure)
    canvas.draw()
    return canvas.get_renderer()


def text_boxes(figure, texts):
    renderer = drawn(figure)
    return [(text.get_text(), text.get_window_extent(renderer)) for text in texts if text.get_text()]


def overlapping(boxes) -> list[tuple[str, str]]:
    return [(a, b) for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2) if box_a.overlaps(box_b)]


def arrows(axes) -> list[Annotation]:
    return [child for child in axes.get_children() if isinstance(child, Annotation) and child.arrow_patch]


def test_program_map_names_every_project_apart_and_its_arrows_have_heads(portfolio):
    """Grouped or not: does every project get a name of its own, no two names touching, and does every dependency
    arrow end in a head (solid for a link, dashed for a hand-off)?"""
    projects = portfolio_projects()
    figure = program_map(projects, {"P05": "Program A", "P06": "Program A", "P17": "Program B"})
    axes = figure.figure.axes[0]
    names = text_boxes(figure, axes.get_yticklabels())
    assert len(names) == len(projects) and not overlapping(names)
    drawn = arrows(axes)
    assert len(drawn) == sum(len(project.depends_on) for project in projects.values())
    assert all(arrow.arrow_patch.get_arrowstyle().__class__.__name__ == "CurveFilledB" for arrow in drawn)
    assert {arrow.arrow_patch.get_linestyle() for arrow in drawn} == {"-", "--"}
    assert "6 solid arrows where both ran at the same time and 5 dashed ones" in figure.alt


@pytest.mark.parametrize("products", [None, ["Ledger", "Ledger Mobile"]])
def test_dependency_network_labels_do_not_touch(portfolio, products):
    """In lesson 03's whole portfolio and lesson 08's two products: are project labels apart and arrows headed?"""
    figure = dependency_network(portfolio, products)
    axes = figure.figure.axes[0]
    labels = [child for child in axes.get_children() if isinstance(child, Annotation) and not child.arrow_patch]
    assert not overlapping(text_boxes(figure, labels))
    assert arrows(axes) and all(a.arrow_patch.get_arrowstyle().__class__.__name__ == "CurveFilledB"
                                for a in arrows(axes))


@pytest.mark.parametrize("product", ["Ledger", "Shopfront", "Clinic Records", "Ledger Mobile"])
def test_a_timeline_ends_where_the_record_ends(portfolio, product):
    """Does the time axis stop within days of the last project's end, with every label at the left, not after it?"""
    figure = lifecycle_timeline(portfolio, product)
    axes = figure.figure.axes[0]
    projects = portfolio[portfolio["product"] == product]
    first, last = projects["start"].min(), projects["end"].max()
    left, right = (pd.Timestamp(value, unit="D") for value in axes.get_xlim())
    slack = (last - first) * 0.05
    assert last <= right <= last + slack and first - slack <= left <= first
    assert not [text for text in axes.texts if text.get_text()], "names stand at the left, as row labels"
    assert not overlapping(text_boxes(figure, axes.get_yticklabels()))


def test_a_product_has_one_colour_in_every_plot(portfolio):
    """Is Ledger Mobile (and every product) drawn in the same colour in the timeline, in the whole portfolio's network
    and in lesson 08's two-product network?"""
    for product, colour in PRODUCT_COLOURS.items():
        timeline = lifecycle_timeline(portfolio, product).figure.axes[0]
        bar_colours = {to_hex(bar.get_facecolor()) for bar in timeline.patches}
        assert colour in bar_colours
        for products in (None, ["Ledger", "Ledger Mobile"]):
            if products and product not in products:
                continue
            network = dependency_network(portfolio, products).figure.axes[0]
            lane = {label.get_text(): to_hex(label.get_color()) for label in network.get_yticklabels()}
            assert lane[product] == colour
            marker_colours = {to_hex(collection.get_facecolor()[0]) for collection in network.collections}
            assert colour in marker_colours
