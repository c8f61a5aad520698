"""The live class view: while an instructor's session is open, a lesson's widgets also send answers to the hub.

An instructor running a workshop on the class's JupyterHub opens a session for a lesson (``pm-course live start 03``
or the Open button of :class:`~course.live.view.LiveClassView`); until it closes, every quiz, role-sorter and
scenario answer the students give in that lesson is also sent, with the student's own hub token, to a small
JupyterHub-managed service (:mod:`course.live.service`), which keeps one answer per student and item (the latest;
the first is kept beside it) in the course's gradebook database. The instructor's notebook then shows, per item, how
many answered, the share of each option with the misconception it stands for, and a scenario's decision funnel, with
no names; the answers can be exported as CSV.

Nothing is sent outside a session or outside a hub: without a hub (no ``JUPYTERHUB_API_TOKEN`` and no service
address) a widget never even looks for a session, and on a hub it only reads a small file the service writes while
a session is open (:mod:`course.live.client`). The pieces:

* :mod:`course.live.protocol`: names shared by both sides (scopes, environment variables, the session file);
* :mod:`course.live.client`: the students' side (the widgets' hook) and the HTTP client the instructor's tools use;
* :mod:`course.live.store`, :mod:`course.live.summary`, :mod:`course.live.service`: the service, its tables and the
  per-item summary it serves (counts only, never names);
* :mod:`course.live.render` and :mod:`course.live.view`: the instructor's view, in a notebook or a terminal.
"""
from importlib import import_module

_HOMES = {"LiveClassView": "view", "LiveClient": "client"}
__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(import_module(f".{_HOMES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
