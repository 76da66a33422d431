"""One component model across a series of spectra (temperatures, cycles, states).

The question the reference study asks of the sulfide electrolyte's S 2p and P 2p spectra is how
its decomposition grows with temperature and cycling: the same components are fitted to every
spectrum of the series (each from the preset's starting values, so that one spectrum's result
cannot steer the next), and the family shares (``oxidised sulfur``, ``sulfite/sulfate``,
``phosphate``) are tabulated against the series' labels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from redoxmap.xps.fit import XpsFit, fit_xps


@dataclass
class XpsSeries:
    """Fits of one region across a series.

    Attributes
    ----------
    fits : dict of str to XpsFit
        By the series' labels (``"pristine"``, ``"50C charge 22"``), in order.
    labels : dict of str to dict
        What each label stands for (``temperature_C``, ``cycle``, ``state``), where given.
    """

    fits: dict
    labels: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"XpsSeries({len(self.fits)} spectra: {', '.join(self.fits)})"

    def family_table(self):
        """Family shares per spectrum: ``label``, the label's attributes, ``family``, ``share``, ``share_stderr``.

        Returns
        -------
        pandas.DataFrame
        """
        import pandas as pd

        frames = []
        for label, fit in self.fits.items():
            frame = fit.family_shares()
            frame.insert(0, "label", label)
            for key, value in self.labels.get(label, {}).items():
                frame[key] = value
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    def component_table(self):
        """Every component's share (and position, width) per spectrum.

        Returns
        -------
        pandas.DataFrame
        """
        import pandas as pd

        frames = []
        for label, fit in self.fits.items():
            frame = fit.table.copy()
            frame.insert(0, "label", label)
            for key, value in self.labels.get(label, {}).items():
                frame[key] = value
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    def plot(self, ax=None, families: Sequence[str] | None = None, x: str | None = None):
        """Family shares against the series (or against a label attribute, ``x="temperature_C"``).

        Returns
        -------
        matplotlib.axes.Axes
        """
        from redoxmap.palette import COLORS
        from redoxmap.results import axes_for

        ax = axes_for(ax)
        table = self.family_table()
        families = families or [f for f in dict.fromkeys(table["family"]) if f != "electrolyte"]
        for index, family in enumerate(families):
            rows = table[table["family"] == family]
            positions = rows[x].to_numpy() if x else range(len(rows))
            ax.errorbar(positions, 100 * rows["share"], yerr=100 * rows["share_stderr"], marker="o", ms=4,
                        capsize=2, color=COLORS[index % len(COLORS)], label=family)
        if not x:
            ax.set_xticks(range(len(self.fits)), list(self.fits), rotation=30, ha="right", fontsize="small")
        else:
            ax.set_xlabel(x)
        ax.set_ylabel("Share of the region (%)")
        ax.legend(fontsize="x-small", frameon=False)
        return ax


def fit_xps_series(spectra: Mapping[str, object] | Sequence, components, *,
                   labels: Mapping[str, Mapping] | None = None, **options) -> XpsSeries:
    """Fit the same components to every spectrum of a series.

    Parameters
    ----------
    spectra : mapping of label to XpsSpectrum, or a sequence (labelled by region and file)
    components : sequence of Component or str
        As :func:`fit_xps` takes them (a preset name).
    labels : mapping, optional
        Per label, what it stands for (``{"50C-22": {"temperature_C": 50, "cycle": 22}}``).
    **options
        Passed to :func:`fit_xps` (background, line shape, window).

    Returns
    -------
    XpsSeries
    """
    if not isinstance(spectra, Mapping):
        spectra = {f"{s.source_file}:{s.region}": s for s in spectra}
    fits: dict[str, XpsFit] = {label: fit_xps(s, components, **options) for label, s in spectra.items()}
    return XpsSeries(fits, dict(labels or {}))
