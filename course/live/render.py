"""The live summary drawn for a shared screen (HTML) or a terminal (text): counts and shares, never a name.

Only a summary (:mod:`course.live.summary`) is drawn, and a summary holds no names, so nothing here can show one.
Each option shows the misconception it stands for and the key is marked; for a discussion before the reveal, both
can be hidden (``reveal=False``: then nothing tells a wrong option from the right one). The shares can be the latest
answers or the first ones (what the class believed before the feedback). Bars carry their
number and percentage as text, so the view does not rely on colour or on seeing the bar.
"""
from __future__ import annotations

from html import escape
from typing import Any, Mapping

LETTERS = "ABCDEFGHIJ"
BAR_COLOUR, RIGHT_COLOUR = "#1a5fb4", "#1a7f37"


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0


def _bar(count: int, total: int, colour: str = BAR_COLOUR) -> str:
    width = round(100 * _share(count, total))
    return (f'<div style="background:#eee;width:12em;height:0.9em;display:inline-block;vertical-align:middle" '
            f'aria-hidden="true"><div style="background:{colour};width:{width}%;height:100%"></div></div> '
            f'<span style="white-space:nowrap">{count} ({width}%)</span>')


def summary_html(summary: Mapping[str, Any], reveal: bool = True, first: bool = False) -> str:
    """The whole session: a header line, then one block per item in lesson order."""
    session = summary.get("session") or {}
    state = "open" if session.get("open") else "closed"
    which = "first answers" if first else "latest answers"
    parts = [f'<div class="pm-live-summary"><p><b>Lesson {escape(summary["lesson"])}</b>, session '
             f'{escape(str(session.get("id", "?")))} ({state}): {summary["students"]} '
             f'student{"s" * (summary["students"] != 1)} answered so far. Showing {which}; '
             f'the key and misconceptions are {"shown" if reveal else "hidden"}.</p>']
    parts.append(_overview_html(summary, reveal, first))
    for item in summary["items"]:
        parts.append(_scenario_html(item, reveal) if item["kind"] == "scenario"
                     else _choice_html(item, reveal, first))
    parts.append("</div>")
    return "".join(parts)


def top_misconception(item: Mapping[str, Any], first: bool = False) -> tuple[str, str, int] | None:
    """The misconception behind the most chosen wrong option or below-best choice: (id, belief, how many)."""
    if item["kind"] == "scenario":
        choices = [choice for node in item["funnel"] for choice in node["choices"]]
        found = [(choice["misconception"], choice["belief"], choice["took"]) for choice in choices
                 if choice["misconception"] and choice["took"]]
    else:
        count_of = "first" if first else "latest"
        found = [(option["misconception"], option["belief"], option[count_of]) for option in item["options"]
                 if option["misconception"] and option[count_of]]
    return max(found, key=lambda entry: entry[2]) if found else None


def _overview_html(summary: Mapping[str, Any], reveal: bool, first: bool) -> str:
    """One row per item answered so far: how many, how many right, the belief most often behind a wrong choice."""
    rows = []
    for item in summary["items"]:
        if not item["answered"]:
            continue
        if item["kind"] == "scenario":
            answered, right = f"{item['answered']} playing, {item['finished']} finished", ""
        else:
            answered = str(item["answered"])
            count = item.get("first_right" if first else "latest_right")
            right = f"{count} ({round(100 * _share(count, item['answered']))}%)" if count is not None else ""
        top = top_misconception(item, first)
        belief = f"<code>{escape(top[0])}</code> ({top[2]}): <i>{escape(top[1])}</i>" if top else ""
        cells = [f'<th scope="row" style="text-align:left">{escape(item["label"])}</th>', f"<td>{answered}</td>"]
        if reveal:
            cells += [f"<td>{right}</td>", f'<td style="text-align:left">{belief}</td>']
        rows.append(f"<tr>{''.join(cells)}</tr>")
    if not rows:
        return "<p><i>No answers yet.</i></p>"
    header = '<th scope="col" style="text-align:left">Item</th><th scope="col">Answered</th>'
    if reveal:
        header += ('<th scope="col">Right</th><th scope="col" style="text-align:left">Most chosen misconception'
                   "</th>")
    return ('<table style="border-collapse:collapse;margin:0.4em 0"><caption style="text-align:left"><b>At a glance'
            f"</b></caption><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _choice_html(item: Mapping[str, Any], reveal: bool, first: bool) -> str:
    count_of = "first" if first else "latest"
    answered = item["answered"]
    rows = []
    for number, option in enumerate(item["options"]):
        right = reveal and option["correct"]
        mark = " ✓" if right else ""
        belief = ""
        if option["misconception"] and reveal:
            belief = (f'<code>{escape(option["misconception"])}</code>: <i>{escape(option["belief"])}</i>'
                      if option["belief"] else f'<code>{escape(option["misconception"])}</code>')
        rows.append(f"<tr><th scope=\"row\" style=\"text-align:left;font-weight:normal\">{LETTERS[number]}. "
                    f"{escape(option['text'])}{mark}</th>"
                    f'<td style="white-space:nowrap">'
                    f"{_bar(option[count_of], answered, RIGHT_COLOUR if right else BAR_COLOUR)}</td>"
                    f'<td style="text-align:left;font-size:0.9em">{belief}</td></tr>')
    right = item.get(f"{count_of}_right")
    tally = f"; {right} of {answered} right" if reveal and right is not None and answered else ""
    how = " (several may be ticked)" if item.get("multiple") else ""
    opened = " open" if answered else ""
    return (f'<details{opened} style="margin:0.6em 0"><summary><b>{escape(item["label"])}</b>: {answered} answered'
            f"{tally}{how}</summary><p>{escape(item['prompt'])}</p>"
            '<table style="border-collapse:collapse"><thead><tr><th scope="col" style="text-align:left">Option</th>'
            '<th scope="col">Chosen by</th><th scope="col" style="text-align:left">Misconception it stands for</th>'
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table></details>")


def _scenario_html(item: Mapping[str, Any], reveal: bool) -> str:
    blocks = []
    for node in item["funnel"]:
        if not node["reached"]:
            continue
        rows = "".join(
            f"<tr><th scope=\"row\" style=\"text-align:left;font-weight:normal\">{escape(choice['label'])}"
            f"{' ✓' if reveal and choice['best'] else ''}</th>"
            f'<td style="white-space:nowrap">{_bar(choice["took"], node["reached"])}</td>'
            f'<td style="text-align:left;font-size:0.9em">'
            f"{_belief(choice) if reveal else ''}</td></tr>"
            for choice in node["choices"])
        step = f"Decision {node['step']}" if node.get("step") else "Decision"
        blocks.append(f"<p><b>{step}</b> (reached by {node['reached']}): {escape(_short(node['text']))}</p>"
                      f'<table style="border-collapse:collapse"><tbody>{rows}</tbody></table>')
    endings = ", ".join(f"{escape(ending['outcome'])} ({escape(ending['ending'])}) {ending['count']}"
                        for ending in item["endings"] if ending["count"])
    opened = " open" if item["answered"] else ""
    return (f'<details{opened} style="margin:0.6em 0"><summary><b>{escape(item["label"])}</b>: {escape(item["prompt"])}'
            f" ({item['answered']} playing, {item['finished']} finished)</summary>"
            f"{''.join(blocks) or '<p>Nobody has made a decision yet.</p>'}"
            f"<p>Endings: {endings or 'none reached yet'}.</p></details>")


def _belief(choice: Mapping[str, Any]) -> str:
    if not choice["misconception"]:
        return ""
    belief = f": <i>{escape(choice['belief'])}</i>" if choice["belief"] else ""
    return f"<code>{escape(choice['misconception'])}</code>{belief}"


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[:limit - 1].rsplit(" ", 1)[0] + "…"


def summary_text(summary: Mapping[str, Any], reveal: bool = True, first: bool = False) -> str:
    """The summary for a terminal: one block per item, percentages and misconception ids."""
    session = summary.get("session") or {}
    lines = [f"Lesson {summary['lesson']}, session {session.get('id', '?')} "
             f"({'open' if session.get('open') else 'closed'}): {summary['students']} "
             f"student{'s' * (summary['students'] != 1)} answered; "
             f"{'first' if first else 'latest'} answers."]
    count_of = "first" if first else "latest"
    for item in summary["items"]:
        lines.append("")
        if item["kind"] == "scenario":
            lines.append(f"{item['label']}: {item['answered']} playing, {item['finished']} finished")
            if not item["answered"]:
                continue
            for node in item["funnel"]:
                if not node["reached"]:
                    continue
                lines.append(f"  decision {node.get('step') or '?'} ({node['node']}), reached by {node['reached']}")
                for choice in node["choices"]:
                    best = " (best)" if reveal and choice["best"] else ""
                    belief = f"  [{choice['misconception']}]" if reveal and choice["misconception"] else ""
                    lines.append(f"    {round(100 * _share(choice['took'], node['reached'])):3d}%  "
                                 f"{choice['took']:3d}  {choice['label']}{best}{belief}")
            continue
        top = top_misconception(item, first) if reveal else None
        most = f"; most chosen misconception: {top[0]} ({top[2]})" if top else ""
        lines.append(f"{item['label']} ({item['item']}): {item['answered']} answered{most}")
        if not item["answered"]:
            continue
        for number, option in enumerate(item["options"]):
            right = " (key)" if reveal and option["correct"] else ""
            belief = f"  [{option['misconception']}]" if reveal and option["misconception"] else ""
            lines.append(f"  {LETTERS[number]}. {round(100 * _share(option[count_of], item['answered'])):3d}%  "
                         f"{option[count_of]:3d}  {_short(option['text'], 60)}{right}{belief}")
    return "\n".join(lines)
