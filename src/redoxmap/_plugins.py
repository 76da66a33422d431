"""Plugins through entry points: the one loader the reader and modality registries share.

A plugin names one object or an iterable of them. One that fails to import, or names something else,
is skipped with a warning that names it, so that a broken plugin never stops the built-in readers or
modalities.
"""

from __future__ import annotations

from importlib import metadata

from redoxmap.errors import warn


def plugins(group: str, kind: type, what: str) -> list:
    """Every ``kind`` object that the entry points of ``group`` name, in their order.

    Parameters
    ----------
    group : str
        The entry point group (``"redoxmap.readers"``, ``"redoxmap.modalities"``).
    kind : type
        What each entry must be (``Reader``, ``Modality``).
    what : str
        The plugin's kind in words, for the warning (``"reader"``).

    Returns
    -------
    list
    """
    found = []
    for entry_point in metadata.entry_points(group=group):
        try:
            loaded = entry_point.load()
            items = [loaded] if isinstance(loaded, kind) else list(loaded)
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not stop the built-in ones
            problem = str(exc)
        else:
            problem = ("" if all(isinstance(item, kind) for item in items)
                       else f"it does not name a {kind.__name__} or an iterable of them")
        if problem:
            warn(f"redoxmap {what} plugin {entry_point.name!r} ({entry_point.value}) was skipped: {problem}",
                 RuntimeWarning)
            continue
        found += items
    return found
