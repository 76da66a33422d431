"""The notebook view of a cycling table: ``table.cycling.plot()`` and a compact summary.

:func:`redoxmap.read_cycling` returns a plain :class:`pandas.DataFrame` (so every pandas tool works on
it); this accessor, registered on import of :mod:`redoxmap.cycling.read`, adds what a DataFrame cannot
know: that its rows are half cycles of one cell, with a mass that makes capacities specific. It is
pandas' documented extension point (``register_dataframe_accessor``), as xarray and pint-pandas use it.
"""

from __future__ import annotations

import pandas as pd

from redoxmap.errors import AnalysisError
from redoxmap.palette import COLORS
from redoxmap.results import DataView, axes_for

REQUIRED = ("time_s", "voltage_V", "capacity_Ah", "cycle", "half_cycle", "state")


@pd.api.extensions.register_dataframe_accessor("cycling")
class CyclingView(DataView):
    """``table.cycling``: views of a table from :func:`redoxmap.read_cycling`.

    Examples
    --------
    >>> import redoxmap
    >>> file = redoxmap.demo_source() / "cycling" / "neware_test_2.ndax"
    >>> table = redoxmap.read_cycling(file, active_mass_mg=5.0)
    >>> table.cycling.summary()["cycles"]
    54
    """

    title = "Cycling data"

    def __init__(self, table: pd.DataFrame):
        missing = [c for c in REQUIRED if c not in table.columns]
        if missing:
            raise AnalysisError(f"not a cycling table from redoxmap.read_cycling: no {', '.join(missing)} column")
        self._table = table

    def __repr__(self) -> str:
        found = self.summary()
        return (f"<cycling data {found['cell'] or found['source file']!r}: {found['records']} records, "
                f"{found['cycles']} cycles, {found['duration (h)']} h>")

    @property
    def _mass_g(self) -> float | None:
        mass = (self._table.attrs.get("redoxmap") or {}).get("active_mass_mg")
        return mass / 1000.0 if mass else None

    def summary(self) -> dict:
        """Cell name, source file, records, cycles, duration and voltage range as plain values."""
        table, meta = self._table, self._table.attrs.get("redoxmap") or {}
        return {"cell": meta.get("name") or "", "source file": str(meta.get("source_file") or ""),
                "records": len(table), "cycles": int(table["cycle"].max()) if len(table) else 0,
                "duration (h)": round(float(table["time_s"].iloc[-1] - table["time_s"].iloc[0]) / 3600, 2)
                if len(table) else 0.0,
                "voltage range (V)": f"{table['voltage_V'].min():.3f}–{table['voltage_V'].max():.3f}",
                "active mass (mg)": meta.get("active_mass_mg")}

    def plot(self, ax=None, *, cycles=None):
        """Voltage against capacity of each half cycle, coloured by cycle (charge solid, discharge dashed).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; a new figure (through pyplot) if omitted. The backend is never changed.
        cycles : sequence of int, optional
            The cycles to draw (default: every cycle from 1, at most the first ten).

        Returns
        -------
        matplotlib.axes.Axes
        """
        ax = axes_for(ax, self.figsize)
        self._draw(ax, cycles)
        return ax

    def _draw(self, ax, cycles=None) -> None:
        table = self._table
        measured = sorted(int(c) for c in table["cycle"].unique() if c >= 1)
        chosen = list(cycles) if cycles is not None else measured[:10]
        unknown = sorted(set(chosen) - set(measured))
        if unknown:
            raise AnalysisError(f"cycles {unknown} are not in the table (it has {measured[0]}–{measured[-1]})"
                                if measured else "the table has no complete cycle to draw")
        mass = self._mass_g
        for k, cycle in enumerate(chosen):
            rows = table[(table["cycle"] == cycle) & table["state"].isin(["charge", "discharge"])]
            for (_, state), half in rows.groupby(["half_cycle", "state"], sort=True):
                capacity_mAh = 1000.0 * half["capacity_Ah"].to_numpy()
                capacity = capacity_mAh / mass if mass else capacity_mAh
                ax.plot(capacity, half["voltage_V"], "-" if state == "charge" else "--", lw=1.0,
                        color=COLORS[k % len(COLORS)], label=f"cycle {cycle}" if state == "charge" else None)
        ax.set_xlabel("Capacity (mAh g$^{-1}$)" if mass else "Capacity (mAh)")
        ax.set_ylabel("Voltage (V)")
        if chosen:
            ax.legend(fontsize=6.5, ncols=2 if len(chosen) > 4 else 1)
