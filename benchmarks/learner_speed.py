"""How fast does the course answer a learner? Widget interactions and whole lessons, in Chromium, as learners do.

    python benchmarks/learner_speed.py [--repeats 20] [--lessons all|none|00-start-here,...] [--widgets all|none|...]
                                       [--baseline-simulator REV]

Starts ``pm-course start --no-browser`` on a fresh workspace (private Jupyter folders, loopback) and drives Debian's
Chromium through Playwright, as the browser tests do.

1. **Widget interactions.** A notebook with one widget of each kind is run once; then each interaction is repeated
   ``--repeats`` times and timed in the page, from just before the input (a key press on a slider, a click on Check, a
   choice in a dropdown) to the first animation frame where the page shows its result (the new text or picture).
   Printed per interaction: median, 95th percentile and slowest, in milliseconds.
2. **Lessons.** JupyterLab is loaded once (its time is printed); then each lesson is opened from the file browser, as
   a learner does, with a kernel of its own (the previous lesson's is ended), and run with Run All Cells. Printed: the
   time to open it (double click until the notebook is shown with an idle kernel), the time Run All takes (until every
   code cell has its execution count and the kernel is idle again), and their sum.

``--baseline-simulator REV`` also times the trade-off simulator as it was at git revision REV (its view module is
taken from git and run in the notebook), for a before-and-after comparison in the same run.

Speed is measured, never asserted; the README reports the figures with the machine they were taken on.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from course.paths import LESSONS_DIR  # noqa: E402
from tests.conftest import jupyter_environment  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
TOKEN = "pm-course-learner-speed"
IDLE = """() => [...document.querySelectorAll('.jp-StatusBar-TextItem, .jp-StatusBar-GroupItem')]
            .some(e => /\\|\\s*Idle\\s*$/.test(e.textContent.trim()))"""
# The notebook in the current main-area tab.
CURRENT = """(() => { const tab = document.querySelector('.jp-main-dock-panel .lm-TabBar-tab.jp-mod-current')
               || document.querySelector('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current');
               return tab ? document.getElementById(tab.dataset.id) : null; })()"""
ALL_RUN = f"""() => {{ const panel = {CURRENT}; if (!panel) return false;
             const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')];
             return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent)); }}"""
OPENED = f"""(name) => {{ const panel = {CURRENT};
             return panel && panel.classList.contains('jp-NotebookPanel') && panel.querySelector('.jp-Cell')
                    && document.querySelector('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current')
                           .textContent.includes(name); }}"""
# The widgets a notebook cell shows, one per kind; each interaction below finds its widget by the cell's number.
WIDGET_CELLS = {
    "tradeoff": 'from course.widgets import *\nTradeoffSimulator()',
    "quiz": 'QuizWidget("00-start-here")',
    "role_sorter": 'RoleSorterWidget()',
    "program_mapper": 'ProgramMapper()',
    "company_size": 'CompanySizeExplorer()',
    "raci": 'RaciBuilder("sales-promise")',
    "scenario": 'ScenarioPlayer("sales-promise")',
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def baseline_simulator_source(revision: str) -> str:
    """The trade-off simulator's view module at ``revision``, importable from a notebook cell."""
    source = subprocess.run(["git", "-C", str(REPO), "show", f"{revision}:course/widgets/tradeoff.py"],
                            capture_output=True, text=True, check=True).stdout
    return (source.replace("from ..", "from course.").replace("from .", "from course.widgets.")
            .replace("class TradeoffSimulator(", "class BaselineTradeoffSimulator("))


def write_widget_notebook(path: Path, baseline: str | None) -> list[str]:
    """The notebook of one widget per kind (and the baseline simulator); returns the widget names in cell order."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    names = list(WIDGET_CELLS)
    cells = [WIDGET_CELLS[name] for name in names]
    if baseline:
        names.append("tradeoff_baseline")
        cells.append(baseline + '\nBaselineTradeoffSimulator(widget_id="tradeoff-baseline")')
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(path))
    return names


class Learner:
    """One Chromium page on the learner's JupyterLab, with the timing helpers."""

    def __init__(self, page, base: str):
        self.page, self.base = page, base

    def open(self, path: str, workspace: str) -> float:
        start = time.perf_counter()
        self.page.goto(f"{self.base}/lab/workspaces/{workspace}/tree/{path}?token={TOKEN}")
        self.page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=180_000)
        self.page.wait_for_function(IDLE, timeout=180_000)
        return time.perf_counter() - start

    def open_from_file_browser(self, name: str) -> float:
        """Seconds from a double click on ``name`` in the file browser to the notebook shown with an idle kernel."""
        item = self.page.locator(".jp-DirListing-item", has_text=name).first
        start = time.perf_counter()
        item.dblclick()
        self.page.wait_for_function(OPENED, arg=name, timeout=180_000, polling=50)
        self.page.wait_for_function(IDLE, timeout=180_000, polling=50)
        return time.perf_counter() - start

    def run_all(self) -> float:
        start = time.perf_counter()
        self.page.get_by_role("menuitem", name="Run", exact=True).click()
        self.page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        self.page.wait_for_function(ALL_RUN, timeout=300_000, polling=50)
        self.page.wait_for_function(IDLE, timeout=300_000, polling=50)
        return time.perf_counter() - start

    def settled(self, element, action, quiet_ms: int = 1500) -> float:
        """Milliseconds from the end of ``action()`` to the last change inside ``element`` (the final result), once
        nothing has changed for ``quiet_ms``: what a learner waits after letting go of a dragged slider."""
        self.page.evaluate("""(e) => { window.__pmLast = null; window.__pmObserver && window.__pmObserver.disconnect();
            window.__pmObserver = new MutationObserver(() => { window.__pmLast = performance.now(); });
            window.__pmObserver.observe(e, {subtree: true, childList: true, characterData: true, attributes: true});
            }""", element.element_handle())
        action()
        released = self.page.evaluate("performance.now()")
        self.page.wait_for_function(
            f"() => performance.now() - Math.max(window.__pmLast || 0, {released}) > {quiet_ms}", timeout=120_000)
        last = self.page.evaluate("window.__pmObserver.disconnect(); window.__pmLast")
        return max(0.0, (last or released) - released)

    def output(self, cell: int):
        return self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell").nth(cell).locator(
            ".jp-Cell-outputArea").first

    def timed(self, action, shown: str, argument=None) -> float:
        """Milliseconds from just before ``action()`` to the first frame where the JS predicate ``shown`` holds."""
        self.page.evaluate("window.__pmShownAt = null; window.__pmStart = performance.now()")
        action()
        self.page.wait_for_function(
            f"(arg) => {{ if (window.__pmShownAt === null && ({shown})(arg)) window.__pmShownAt = performance.now();"
            " return window.__pmShownAt !== null; }", arg=argument, timeout=60_000)
        return self.page.evaluate("window.__pmShownAt - window.__pmStart")


def measure_widgets(learner: Learner, names: list[str], repeats: int) -> dict[str, list[float]]:
    """Time each kind of interaction ``repeats`` times; the result is shown when the widget's text (or picture)
    changed. Before each timed action the widget is left to settle, so an earlier update is never taken for it."""
    page = learner.page
    times: dict[str, list[float]] = {}

    def mark(element) -> None:
        page.wait_for_timeout(400)
        page.evaluate("(e) => { window.__pmRoot = e; window.__pmBefore = e.innerText;"
                      " window.__pmFigure = e.querySelector('svg, img'); }", element.element_handle())

    changed = "() => window.__pmRoot.innerText !== window.__pmBefore"
    new_figure = ("() => { const f = window.__pmRoot.querySelector('svg, img');"
                  " return f !== null && f !== window.__pmFigure && f.isConnected; }")

    def options_of(select) -> list[str]:
        return [text for text in select.locator("option").evaluate_all("os => os.map(o => o.textContent)")
                if text and not text.startswith("—")]

    def choose(select, label: str):
        return lambda: select.select_option(label=label)

    def alternating(select) -> list[str]:
        """The first two of ``select``'s options in turn, one per repeat."""
        options = options_of(select)
        return [options[repeat % 2] for repeat in range(repeats)]

    for cell, name in enumerate(names):
        if not name:
            continue
        root = learner.output(cell)
        root.scroll_into_view_if_needed()
        if name in ("tradeoff", "tradeoff_baseline"):
            for slider_number, label in ((0, "features slider"), (2, "budget slider")):
                handle = root.locator(".noUi-handle").nth(slider_number)
                series = times.setdefault(f"{name} {label} (key press)", [])
                for repeat in range(repeats):
                    handle.focus()
                    mark(root)
                    key = "ArrowRight" if repeat % 2 == 0 else "ArrowLeft"
                    # Shown once the curve was drawn again (the summary above it is set first).
                    series.append(learner.timed(lambda key=key: page.keyboard.press(key), new_figure))
            track = root.locator(".noUi-target").first
            handle = root.locator(".noUi-handle").first
            series = times.setdefault(f"{name} features slider (drag over 15 values, after release)", [])
            for repeat in range(repeats):
                box, grip = track.bounding_box(), handle.bounding_box()
                start_x, y = grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2
                target_x = box["x"] + box["width"] * (0.8 if repeat % 2 == 0 else 0.3)
                page.mouse.move(start_x, y)
                page.mouse.down()
                page.mouse.move(target_x, y, steps=30)
                series.append(learner.settled(root, page.mouse.up))
        elif name == "quiz":
            block = root.locator(".widget-vbox", has=page.locator(".widget-radio-box")).nth(1)
            radios = block.locator("input[type=radio]")
            check = block.get_by_role("button", name="Check", exact=True)
            for repeat in range(repeats):
                radios.nth(repeat % 2).check()
                mark(block)
                times.setdefault("quiz Check", []).append(learner.timed(check.click, changed))
        elif name in ("role_sorter", "raci", "company_size"):
            # The first row with a choice to make: its first open dropdown and its Check button come first.
            check = root.get_by_role("button", name="Check", exact=True).first
            select = root.locator("select:not([disabled])").first
            for option in alternating(select):
                select.select_option(label=option)
                mark(root)
                times.setdefault(f"{name} Check", []).append(learner.timed(check.click, changed))
        elif name == "program_mapper":
            select = root.locator("select").first
            for option in alternating(select):
                mark(root)
                times.setdefault("program_mapper choice (map redrawn)", []).append(
                    learner.timed(choose(select, option), new_figure))
        elif name == "scenario":
            player = root.locator(".pm-scenario")
            for _ in range(repeats):
                again = player.get_by_role("button", name="Play again")
                if again.is_visible():
                    again.click()
                choice = player.locator("button.pm-scenario-choice").first
                choice.wait_for()
                mark(player)
                times.setdefault("scenario choice", []).append(learner.timed(choice.click, changed))
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def report_widgets(times: dict[str, list[float]]) -> None:
    print(f"\n{'widget interaction':<66} {'n':>3} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}")
    for name, values in times.items():
        print(f"{name:<66} {len(values):>3} {statistics.median(values):>10.0f} {percentile(values, 0.95):>8.0f} "
              f"{max(values):>8.0f}")


def measure(args, page, base: str, learner: Learner, names: list[str], lessons: list[str]) -> None:
    if any(names):
        learner.open("speed/widgets.ipynb", "speed-widgets")
        learner.run_all()
        times = measure_widgets(learner, names, args.repeats)
        report_widgets(times)
    if lessons:
        start = time.perf_counter()
        page.goto(f"{base}/lab/workspaces/speed-lessons/tree/lessons?token={TOKEN}")
        page.locator(".jp-DirListing-item", has_text="00-start-here.ipynb").wait_for(timeout=180_000)
        print(f"\nJupyterLab loaded in the browser, lessons listed: {time.perf_counter() - start:.1f} s")
        print(f"{'lesson (opened from the file browser)':<40} {'open s':>7} {'Run All s':>10} "
              f"{'total s':>8}")
        totals = []
        for lesson in lessons:
            shut_down_kernels(base)
            if page.locator(".jp-Dialog").count():
                page.keyboard.press("Escape")
            opened = learner.open_from_file_browser(f"{lesson}.ipynb")
            ran = learner.run_all()
            totals.append(opened + ran)
            print(f"{lesson:<40} {opened:>7.1f} {ran:>10.1f} {opened + ran:>8.1f}", flush=True)
        print(f"{'median':<40} {'':>7} {'':>10} {statistics.median(totals):>8.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20, help="times each widget interaction is timed (20)")
    parser.add_argument("--lessons", default="all", help="'all', 'none' or comma-separated lesson names")
    parser.add_argument("--widgets", default="all", help="'all', 'none' or comma-separated widget kinds")
    parser.add_argument("--baseline-simulator", metavar="REV", help="also time the trade-off simulator of REV")
    args = parser.parse_args()
    if not Path(CHROMIUM).is_file():
        sys.exit("Chromium is not installed: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    lessons = sorted(path.stem for path in LESSONS_DIR.glob("*.ipynb")) if args.lessons == "all" else \
        [] if args.lessons == "none" else args.lessons.split(",")
    with tempfile.TemporaryDirectory(prefix="pm-learner-speed-") as temporary:
        root = Path(temporary)
        workspace, port = root / "workspace", free_port()
        # private Jupyter folders and a known token, as the tests' servers get: nothing of the user's own JupyterLab
        env = jupyter_environment(root, TOKEN)
        subprocess.run([sys.executable, "-m", "course.cli", "start", "--copy-only", "--dir", str(workspace)],
                       env=env, check=True, capture_output=True)
        names: list[str] = []
        if args.widgets != "none":
            names = write_widget_notebook(workspace / "speed" / "widgets.ipynb",
                                          baseline_simulator_source(args.baseline_simulator)
                                          if args.baseline_simulator else None)
            if args.widgets != "all":
                chosen = set(args.widgets.split(","))
                names = [name if name.removesuffix("_baseline") in chosen else "" for name in names]
        server = subprocess.Popen([sys.executable, "-m", "course.cli", "start", "--no-browser", "--port", str(port),
                                   "--dir", str(workspace)], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_for_server(base)
            print(f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start; "
                  f"Chromium {CHROMIUM}")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.set_default_timeout(120_000)
                learner = Learner(page, base)
                try:
                    measure(args, page, base, learner, names, lessons)
                except Exception:
                    page.screenshot(path=str(Path(tempfile.gettempdir()) / "pm-learner-speed-failure.png"))
                    print(f"(screenshot of the failure: {tempfile.gettempdir()}/pm-learner-speed-failure.png)")
                    raise
                browser.close()
            print(f"\nLoad average at the end: {os.getloadavg()[0]:.1f}")
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
    return 0


def shut_down_kernels(base: str) -> None:
    """End every kernel (the previous lesson's), so each lesson starts its own as a learner's first visit does."""
    import urllib.request

    headers = {"Authorization": f"token {TOKEN}"}
    with urllib.request.urlopen(urllib.request.Request(f"{base}/api/kernels", headers=headers), timeout=30) as answer:
        kernels = json.loads(answer.read())
    for kernel in kernels:
        request = urllib.request.Request(f"{base}/api/kernels/{kernel['id']}", headers=headers, method="DELETE")
        urllib.request.urlopen(request, timeout=60).close()


def _wait_for_server(base: str, seconds: float = 120) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"JupyterLab did not answer at {base} within {seconds} s")


if __name__ == "__main__":
    raise SystemExit(main())
