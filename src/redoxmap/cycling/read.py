"""``read_cycling``: any cycler file to one canonical, segmented table with its metadata."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from os import PathLike
from pathlib import Path

import pandas as pd

from redoxmap.cycling import views  # noqa: F401  (registers table.cycling)
from redoxmap.cycling.checks import warn_if_capacity_disagrees
from redoxmap.cycling.segmentation import segment
from redoxmap.errors import AnalysisError, DataWarning, warn
from redoxmap.io import read_raw_cycling

ELECTRODES = ("cathode", "anode")


@dataclass
class CellMetadata:
    """What is known about the cell behind a cycling table.

    Attributes
    ----------
    source_file : str
    instrument : str
        Instrument family (``"BioLogic"``, ``"Neware"``...).
    reader : str
        The reader that parsed the file.
    name : str, optional
        A label for the cell (the sample name in a study).
    active_mass_mg : float, optional
        Mass of active material in mg; specific quantities need it.
    electrode : {"cathode", "anode"}
        ``"cathode"``: a cycle is a charge followed by its discharge. ``"anode"``:
        discharge first.
    cell_type : str, optional
        Free text: ``"all-solid-state"``, ``"liquid coin cell"``...
    temperature_C : float, optional
    specific_current_mA_g : float, optional
        The specific current that defines 1 C (the reference study: 250 mA/g).
    electrode_area_cm2 : float, optional
        Area of the electrode in cm2; areal capacities (mAh/cm2) need it.
    file_metadata : dict
        What the file says about itself.
    """

    source_file: str
    instrument: str
    reader: str
    name: str | None = None
    active_mass_mg: float | None = None
    electrode: str = "cathode"
    cell_type: str | None = None
    temperature_C: float | None = None
    specific_current_mA_g: float | None = None
    electrode_area_cm2: float | None = None
    file_metadata: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The name, or the file's name when there is none."""
        return self.name or Path(self.source_file).name

    @property
    def active_mass_g(self) -> float | None:
        """Active mass in g, or None."""
        return None if self.active_mass_mg is None else self.active_mass_mg / 1000.0


def cell_metadata(table: pd.DataFrame) -> CellMetadata:
    """The :class:`CellMetadata` attached to a table from :func:`read_cycling`.

    Raises
    ------
    AnalysisError
        If the table carries none (it was not made by ``read_cycling``).
    """
    stored = table.attrs.get("redoxmap")
    if stored is None:
        raise AnalysisError(
            "this table carries no redoxmap metadata; make it with redoxmap.read_cycling "
            "or redoxmap.cycling.from_records"
        )
    return CellMetadata(**stored)


def _checked_mass(mass_mg: float | None, source: str, file_mass_mg: float | None) -> float | None:
    if mass_mg is None or (isinstance(mass_mg, float) and math.isnan(mass_mg)):
        # A mass stored in the file is often the software's placeholder, so it is
        # offered, not used.
        hint = (f"; the file states {file_mass_mg:g} mg, pass active_mass_mg={file_mass_mg:g} "
                "if that is right" if file_mass_mg else "")
        warn(
            f"{source}: no active mass given; capacities are reported in mAh only "
            f"(give active_mass_mg, --mass-mg on the command line, for mAh/g{hint})",
            DataWarning,
        )
        return None
    mass_mg = float(mass_mg)
    if mass_mg < 0:
        raise AnalysisError(f"active mass must be positive, got {mass_mg} mg", path=source)
    if mass_mg == 0:
        warn(
            f"{source}: active mass is 0 mg; capacities are reported in mAh only",
            DataWarning,
        )
        return None
    return mass_mg


# The metadata a user gives (the rest of CellMetadata comes from the file).
METADATA_KEYS = ("name", "active_mass_mg", "electrode", "cell_type", "temperature_C",
                 "specific_current_mA_g", "electrode_area_cm2")


def check_metadata(metadata: dict, source: str) -> None:
    """Refuse unknown metadata keys and an unknown electrode before any file is decoded."""
    unknown = set(metadata) - set(METADATA_KEYS)
    if unknown:
        raise AnalysisError(f"unknown metadata {', '.join(sorted(unknown))}; "
                            f"known: {', '.join(METADATA_KEYS)}", path=source)
    electrode = metadata.get("electrode", "cathode")
    if electrode not in ELECTRODES:
        raise AnalysisError(f"electrode must be one of {ELECTRODES}, not {electrode!r}", path=source)


def attach_metadata(table: pd.DataFrame, *, source_file: str, instrument: str, reader: str,
                    file_metadata: dict | None = None, **metadata) -> pd.DataFrame:
    """Check what the user says about a cell (mass, area) and attach it, with the file's provenance,
    to a segmented table as ``table.attrs["redoxmap"]`` (see :func:`cell_metadata`); returns the table.

    The half of :func:`from_records` that does not depend on the data: a stored decoded table
    (:class:`redoxmap.store.CellStore`) is given its cell's metadata by it.
    """
    check_metadata(metadata, source_file)
    file_metadata = dict(file_metadata or {})
    metadata["active_mass_mg"] = _checked_mass(metadata.get("active_mass_mg"), source_file,
                                               file_metadata.get("active_mass_mg"))
    area = metadata.get("electrode_area_cm2")
    if area is not None and not (isinstance(area, (int, float)) and 0 < area < 1e4):
        raise AnalysisError(f"electrode_area_cm2 must be a positive area in cm2, not {area!r}", path=source_file)
    meta = CellMetadata(source_file=str(source_file), instrument=instrument, reader=reader,
                        file_metadata=file_metadata, **metadata)
    table.attrs["redoxmap"] = asdict(meta)
    return table


def from_records(
    records: pd.DataFrame,
    *,
    source_file: str = "<memory>",
    instrument: str = "unknown",
    reader: str = "memory",
    file_metadata: dict | None = None,
    segment_options: dict | None = None,
    **metadata,
) -> pd.DataFrame:
    """Segment records (``time_s``, ``voltage_V``, ``current_A``) and attach metadata.

    The same as :func:`read_cycling` for data that is already in memory (a simulation,
    a table from another tool).

    Parameters
    ----------
    records : pandas.DataFrame
        ``time_s``, ``voltage_V``, ``current_A`` (positive = charging) in time order.
    source_file, instrument, reader : str
        Provenance, kept in the metadata.
    file_metadata : dict, optional
        What the source says about itself.
    segment_options : dict, optional
        ``rel_tol``, ``abs_tol_A``, ``pulse_fraction`` of :func:`redoxmap.cycling.segment`.
    **metadata
        ``name``, ``active_mass_mg``, ``electrode``, ``cell_type``, ``temperature_C``,
        ``specific_current_mA_g`` (see :class:`CellMetadata`).
    """
    check_metadata(metadata, source_file)
    table = segment_records(records, source_file, electrode=metadata.get("electrode", "cathode"),
                            segment_options=segment_options)
    return attach_metadata(table, source_file=source_file, instrument=instrument, reader=reader,
                           file_metadata=file_metadata, **metadata)


def segment_records(records: pd.DataFrame, source_file: str, *, electrode: str = "cathode",
                    segment_options: dict | None = None) -> pd.DataFrame:
    """Segment raw records into half cycles and cycles (a cathode's cycle opens with a charge, an
    anode's with a discharge) and warn where the instrument's own capacities disagree."""
    table = segment(records, first="charge" if electrode == "cathode" else "discharge", **(segment_options or {}))
    warn_if_capacity_disagrees(table, str(source_file))
    return table


def decode_cycling(path: str | PathLike | Sequence[str | PathLike], *, format: str | None = None,
                   reader_options: dict | None = None, segment_options: dict | None = None,
                   electrode: str = "cathode") -> tuple[pd.DataFrame, dict]:
    """Read one cycler file (or the parts of one cell) and segment it, without the cell's metadata.

    Returns the segmented table and its provenance (``source_file``, ``instrument``, ``reader``,
    ``file_metadata``): what :func:`attach_metadata` needs besides the user's metadata. The costly
    half of :func:`read_cycling`, the half a :class:`redoxmap.store.CellStore` keeps.
    """
    if isinstance(path, (str, PathLike)):
        raw = read_raw_cycling(path, format=format, **(reader_options or {}))
        source = str(raw.source_file)
    else:
        from redoxmap.io.join import join_raw

        raw = join_raw([read_raw_cycling(p, format=format, **(reader_options or {})) for p in path])
        source = " + ".join(f["file"] for f in raw.metadata["files"])
    table = segment_records(raw.table, source, electrode=electrode, segment_options=segment_options)
    return table, {"source_file": source, "instrument": raw.instrument, "reader": raw.reader,
                   "file_metadata": raw.metadata}


def read_cycling(
    path: str | PathLike | Sequence[str | PathLike],
    *,
    format: str | None = None,
    reader_options: dict | None = None,
    segment_options: dict | None = None,
    **metadata,
) -> pd.DataFrame:
    """Read any supported cycler file into one canonical, segmented table.

    Parameters
    ----------
    path : path-like or list of path-like
        BioLogic ``.mpt``/``.mpr``, Neware ``.nda``/``.ndax``, Arbin CSV/XLSX, Maccor
        text, LAND CSV/XLSX, BDF ``.bdf.csv``/``.bdf.parquet`` or a generic CSV. Several files of one
        cell (a test resumed after a power cut, exported in parts) are joined on one clock, cycles and
        capacities continuing (:func:`redoxmap.io.join.join_raw`: ordered by their start times, with a
        warning where they overlap or leave a gap).
    format : str, optional
        Force a reader (see ``redoxmap.io.readers()``); detected if omitted.
    reader_options : dict, optional
        Options of the reader, e.g. ``{"columns": {"time": "t (h)"}}`` for ``format="csv"``.
    segment_options : dict, optional
        ``rel_tol``, ``abs_tol_A``, ``pulse_fraction`` of :func:`redoxmap.cycling.segment`.
    **metadata
        What is known about the cell:

        - ``name`` (str): a label for the cell;
        - ``active_mass_mg`` (float): active material mass in mg; without it
          capacities are in mAh only (a warning);
        - ``electrode`` (``"cathode"`` or ``"anode"``): whether a cycle opens with a
          charge (cathode, the default) or a discharge (anode-first);
        - ``cell_type`` (str): free text describing the cell;
        - ``temperature_C`` (float): test temperature in °C;
        - ``specific_current_mA_g`` (float): specific current that defines 1 C;
        - ``electrode_area_cm2`` (float): electrode area, for areal capacities (mAh/cm2).

    Returns
    -------
    pandas.DataFrame
        Columns ``time_s``, ``voltage_V``, ``current_A`` (positive = charging), ``state``,
        ``step``, ``half_cycle``, ``cycle``, ``capacity_Ah`` and, where the file has them,
        ``temperature_C``, ``instrument_cycle``, ``instrument_step`` and the instrument's
        capacity columns. ``table.attrs["redoxmap"]`` holds the metadata
        (see :func:`cell_metadata`).

    Raises
    ------
    redoxmap.errors.ReadError, redoxmap.errors.FormatError
        For missing, empty, corrupted or unrecognised files.

    Examples
    --------
    The bundled Neware file (an example of the NewareNDA project; its active mass is not published, so
    5 mg stands in here):

    >>> import redoxmap
    >>> file = redoxmap.demo_source() / "cycling" / "neware_test_2.ndax"
    >>> table = redoxmap.read_cycling(file, active_mass_mg=5.0)
    >>> int(table["cycle"].max()), table.attrs["redoxmap"]["instrument"]
    (54, 'Neware')
    >>> charge = table[(table["cycle"] == 1) & (table["state"] == "charge")]
    >>> print(round(1000 * charge["capacity_Ah"].max() / 0.005, 1))  # mAh/g: mAh over the mass in g
    47.0
    """
    check_metadata(metadata, str(path))
    table, provenance = decode_cycling(path, format=format, reader_options=reader_options,
                                       segment_options=segment_options, electrode=metadata.get("electrode", "cathode"))
    return attach_metadata(table, **provenance, **metadata)
