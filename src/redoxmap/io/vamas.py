"""VAMAS (ISO 14976) surface-analysis files: REGULAR and IRREGULAR layouts, CasaXPS annotations.

A VAMAS file is one value per line, each line's meaning fixed by its position and by values
read before it (Dench, Hazell, Seah and the VAMAS community, *Surf. Interface Anal.* 13
(1988) 63). Written here because the maintained Python reader (``vamas`` on PyPI) refuses the
IRREGULAR layout that CasaXPS writes, where the abscissa is the first corresponding variable
instead of a start and an increment.

What is read per block: its identifier and sample, the technique, the source and its energy,
the analyser mode and pass energy, the species and transition (``S`` ``2p``, or a CasaXPS
region name), the abscissa (kinetic or binding energy), every corresponding variable (the
counts, and CasaXPS's transmission column), the collection time and the number of scans
(so that Poisson errors are known), and CasaXPS's ``CASA region``/``CASA comp`` comment
lines (its background and components, kept as metadata).
"""

from __future__ import annotations

import re
from os import PathLike
from pathlib import Path

import numpy as np

from redoxmap.errors import AnalysisError, FormatError, ReadError
from redoxmap.io.reader import Reader, read_head
from redoxmap.io.text import decode
from redoxmap.io.xps_files import XpsSpectrum, make_spectrum

MAGIC = "VAMAS Surface Chemical Analysis Standard Data Transfer Format 1988 May 4"
_EXPERIMENT_MODES = {"MAP", "MAPDP", "MAPSV", "MAPSVDP", "NORM", "SDP", "SDPSV", "SEM", "NOEXP"}
_SCAN_MODES = {"REGULAR", "IRREGULAR", "MAPPING"}
_SPUTTER_TECHNIQUES = {"SNMS energy spec", "FABMS", "FABMS energy spec", "ISS", "SIMS", "SIMS energy spec", "SNMS"}
_ELECTRON_TECHNIQUES = {"AES diff", "AES dir", "EDX", "ELS", "UPS", "XPS", "XRF"}
_UNSET = 1e37  # what VAMAS writes for "not known"
_BLOCK_ITEMS = 40


class _Lines:
    """A cursor over the file's lines that names the file and the line in every error."""

    def __init__(self, text: str, path: Path):
        self.lines = text.splitlines()
        self.position = next((i for i, line in enumerate(self.lines) if line.strip()), 0)  # Kratos: blank lines first
        self.path = path

    def text(self) -> str:
        if self.position >= len(self.lines):
            raise ReadError(f"ends early (after line {len(self.lines)}): a truncated VAMAS file", path=self.path)
        line = self.lines[self.position]
        self.position += 1
        return line.strip().strip("\x00")  # PHI MultiPak pads labels with NUL

    def integer(self, what: str) -> int:
        line = self.text()
        try:
            value = int(float(line))
        except ValueError:
            raise ReadError(f"line {self.position}: {what} should be a whole number, not {line[:40]!r}",
                            path=self.path) from None
        if not -10_000_000 <= value <= 100_000_000:
            raise ReadError(f"line {self.position}: {what} of {value} is not plausible", path=self.path)
        return value

    def number(self, what: str) -> float:
        line = self.text()
        try:
            return float(line)
        except ValueError:
            raise ReadError(f"line {self.position}: {what} should be a number, not {line[:40]!r}",
                            path=self.path) from None

    def skip(self, count: int) -> list[str]:
        return [self.text() for _ in range(count)]

    def values(self, count: int) -> np.ndarray:
        """``count`` numbers, one per line (the data block: parsed in one call)."""
        end = self.position + count
        if end > len(self.lines):
            raise ReadError(f"ends inside a data block ({len(self.lines) - self.position} of {count} values): "
                            "a truncated VAMAS file", path=self.path)
        chunk = self.lines[self.position:end]
        self.position = end
        try:
            return np.array(chunk, dtype=float)
        except ValueError:
            bad = next(v for v in chunk if not _is_number(v))
            raise ReadError(f"a data value is not a number ({bad.strip()[:40]!r})", path=self.path) from None


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def _sniff(head: bytes, path: Path) -> bool:
    return head.lstrip(b"\xef\xbb\xbf").lstrip().startswith(MAGIC.encode()[:40])


def read_vamas(path: str | PathLike, *, excitation_energy_eV: float | None = None,
               apply_calibration: bool = True) -> list[XpsSpectrum]:
    """Read every block of a VAMAS file (REGULAR or IRREGULAR) as an XPS spectrum.

    Parameters
    ----------
    path : path-like
    excitation_energy_eV : float, optional
        Photon energy for blocks on a kinetic-energy axis that do not state it.
    apply_calibration : bool
        Apply an energy calibration CasaXPS recorded in the block (its charge correction);
        the shift is the spectrum's ``charge_shift_eV``.

    Returns
    -------
    list of XpsSpectrum
        One per block, named ``"<species> <transition>"`` (``"S 2p"``) or by the block's own label.
    """
    path = Path(path)
    if not _sniff(read_head(path), path):
        raise FormatError(f"not a VAMAS file (the first line is not '{MAGIC[:40]}...')", path=path)
    cursor = _Lines(decode(path.read_bytes()), path)
    header = _read_header(cursor)
    first: dict = {}
    spectra = []
    for index in range(header["blocks"]):
        block = _read_block(cursor, header, first if index else None)
        if not index:
            first = block
        spectrum = _spectrum(block, header, path, index, excitation_energy_eV)
        shift = spectrum.metadata.get("casaxps", {}).get("calibration_shift_eV", 0.0)
        spectra.append(spectrum.shifted(shift) if apply_calibration and shift else spectrum)
    return spectra


def _read_header(cursor: _Lines) -> dict:
    cursor.text()  # the format identifier
    header = {"institution": cursor.text(), "instrument": cursor.text(), "operator": cursor.text(),
              "experiment": cursor.text()}
    header["comment"] = cursor.skip(cursor.integer("the number of comment lines"))
    mode, scan = cursor.text(), cursor.text()
    if mode not in _EXPERIMENT_MODES:
        raise ReadError(f"unknown experiment mode {mode!r}", path=cursor.path)
    if scan not in _SCAN_MODES:
        raise ReadError(f"unknown scan mode {scan!r}", path=cursor.path)
    if scan == "MAPPING":
        raise FormatError("a VAMAS MAPPING file (an image, not spectra): redoxmap reads XPS spectra", path=cursor.path)
    header["mode"], header["scan"] = mode, scan
    if mode in {"MAP", "MAPDP", "NORM", "SDP"}:
        header["regions"] = cursor.integer("the number of spectral regions")
    if mode in {"MAP", "MAPDP"}:
        cursor.skip(3)  # analysis positions, discrete x and y coordinates
    variables = cursor.integer("the number of experimental variables")
    header["variables"] = [(cursor.text(), cursor.text()) for _ in range(variables)]
    listed = cursor.integer("the parameter inclusion list's length")
    # A positive count lists the block items that are included, a negative one those that are
    # excluded; an excluded item of the second and later blocks takes the first block's value.
    include = [listed <= 0] * _BLOCK_ITEMS
    for _ in range(abs(listed)):
        item = cursor.integer("an inclusion list entry") - 1
        if not 0 <= item < _BLOCK_ITEMS:
            raise ReadError(f"inclusion list names block item {item + 1} (VAMAS has 1-{_BLOCK_ITEMS})",
                            path=cursor.path)
        include[item] = listed > 0
    header["include"] = include
    cursor.skip(cursor.integer("the number of manually entered items"))
    experiment_future = cursor.integer("the number of future experiment entries")
    header["block_future"] = cursor.integer("the number of future block entries")
    cursor.skip(experiment_future)
    header["blocks"] = cursor.integer("the number of blocks")
    if header["blocks"] < 1:
        raise ReadError("holds no blocks (no spectra)", path=cursor.path)
    return header


def _read_block(cursor: _Lines, header: dict, first: dict | None) -> dict:
    """One block's parameters and data; items a later block leaves out come from the first.

    Notes
    -----
    One function past a screen because a VAMAS block is a fixed sequence of some forty items, many
    present only for some experiment modes or techniques (ISO 14976); one pass in the standard's
    order is what a reader can check against the standard.
    """
    include = [True] * _BLOCK_ITEMS if first is None else header["include"]
    block = dict(first or {})
    block.pop("data", None)
    mode = header["mode"]

    def item(number: int, read):
        if include[number]:
            read()

    block["id"], block["sample"] = cursor.text(), cursor.text()
    item(0, lambda: block.update(year=cursor.integer("the year")))
    item(1, lambda: block.update(month=cursor.integer("the month")))
    item(2, lambda: block.update(day=cursor.integer("the day")))
    item(3, lambda: block.update(hour=cursor.integer("the hour")))
    item(4, lambda: block.update(minute=cursor.integer("the minute")))
    item(5, lambda: block.update(second=cursor.integer("the second")))
    item(6, lambda: cursor.text())  # hours ahead of GMT
    item(7, lambda: block.update(comment=cursor.skip(cursor.integer("the number of block comment lines"))))
    item(8, lambda: block.update(technique=cursor.text()))
    technique = block.get("technique", "")
    if mode in {"MAP", "MAPDP"}:
        item(9, lambda: cursor.skip(2))  # x and y coordinates
    item(10, lambda: block.update(variables=[cursor.text() for _ in header["variables"]]))
    item(11, lambda: block.update(source=cursor.text()))
    if mode in {"MAPDP", "MAPSVDP", "SDP", "SDPSV"} or technique in _SPUTTER_TECHNIQUES:
        item(12, lambda: cursor.skip(3))  # sputtering species
    item(13, lambda: block.update(source_energy=cursor.number("the source energy")))
    item(14, lambda: cursor.text())  # source strength
    item(15, lambda: cursor.skip(2))  # beam width x, y
    if mode in {"MAP", "MAPDP", "MAPSV", "MAPSVDP", "SEM"}:
        item(16, lambda: cursor.skip(2))  # field of view
    if mode in {"MAPSV", "MAPSVDP", "SEM"}:
        item(17, lambda: cursor.skip(6))  # linescan coordinates
    item(18, lambda: cursor.text())  # source polar angle
    item(19, lambda: cursor.text())  # source azimuth
    item(20, lambda: block.update(analyser_mode=cursor.text()))
    item(21, lambda: block.update(pass_energy=cursor.number("the pass energy")))
    if technique == "AES diff":
        item(22, lambda: cursor.text())
    item(23, lambda: cursor.text())  # lens magnification
    item(24, lambda: block.update(work_function=cursor.number("the work function")))
    item(25, lambda: cursor.text())  # target bias
    item(26, lambda: cursor.skip(2))  # analysis width x, y
    item(27, lambda: cursor.skip(2))  # take-off polar angle, azimuth
    item(28, lambda: block.update(species=cursor.text()))
    item(29, lambda: block.update(transition=cursor.text(), charge=cursor.text()))
    if header["scan"] == "REGULAR":
        item(30, lambda: block.update(abscissa=cursor.text(), abscissa_unit=cursor.text(),
                                      start=cursor.number("the abscissa start"),
                                      step=cursor.number("the abscissa increment")))

    def variables():
        count = cursor.integer("the number of corresponding variables")
        if not 1 <= count <= 64:
            raise ReadError(f"a block with {count} corresponding variables", path=cursor.path)
        block["columns"] = [(cursor.text(), cursor.text()) for _ in range(count)]

    item(31, variables)
    item(32, lambda: block.update(signal_mode=cursor.text()))
    item(33, lambda: block.update(collection_time=cursor.number("the signal collection time")))
    item(34, lambda: block.update(scans=cursor.integer("the number of scans")))
    item(35, lambda: cursor.text())  # signal time correction
    if technique in _ELECTRON_TECHNIQUES and mode in {"MAPDP", "MAPSVDP", "SDP", "SDPSV"}:
        item(36, lambda: cursor.skip(7))  # sputtering source
    item(37, lambda: cursor.skip(2))  # sample tilt
    item(38, lambda: cursor.text())  # sample rotation

    def parameters():
        count = cursor.integer("the number of additional parameters")
        block["parameters"] = {cursor.text(): (cursor.text(), cursor.text())[1] for _ in range(max(count, 0))}

    item(39, parameters)
    cursor.skip(header["block_future"])
    if "columns" not in block:
        raise ReadError("a block without corresponding variables", path=cursor.path)
    count = cursor.integer("the number of ordinate values")
    columns = len(block["columns"])
    if count < 0 or count % columns:
        raise ReadError(f"block {block['id']!r}: {count} ordinate values do not fill {columns} columns",
                        path=cursor.path)
    cursor.skip(2 * columns)  # minimum and maximum of each variable
    block["data"] = cursor.values(count).reshape(-1, columns)
    return block


_CASA_CALIBRATION = re.compile(r"^Calib M = ([-\d.eE+]+) A = ([-\d.eE+]+) BE ADD")
_CASA_REGION = re.compile(r"^CASA region \(\*(.*?)\*\) \(\*(.*?)\*\)\s+(.*)$")
_NUMBER = r"([-\d.eE+]+)"
_CONSTRAINED = r" +".join([_NUMBER] * 5)  # value, low, high, link (-1: none), factor or offset
_CASA_COMPONENT = re.compile(rf"^CASA comp \(\*(.*?)\*\) \(\*(.*?)\*\) Area {_CONSTRAINED} MFWHM {_CONSTRAINED} "
                             rf"Position {_CONSTRAINED} RSF {_NUMBER}")


def casa_annotations(comment: list[str]) -> dict:
    """CasaXPS's region (background) and components from a block's comment lines.

    Positions and limits are as CasaXPS stores them: on the file's abscissa (kinetic energy for
    most files) after its energy calibration, whose total binding-energy shift (the sum of its
    ``Calib M = measured A = assigned BE ADD`` steps) is ``calibration_shift_eV``.
    """
    regions, components = [], []
    shift, calibrated = 0.0, False
    for line in comment:
        calibration = _CASA_CALIBRATION.match(line)
        if calibration:
            shift += float(calibration.group(2)) - float(calibration.group(1))
            calibrated = True
        region = _CASA_REGION.match(line)
        if region:
            numbers = region.group(3).split()
            regions.append({"name": region.group(1), "background": region.group(2),
                            "limits": [float(v) for v in numbers[:2]], "rsf": float(numbers[2]),
                            "background_parameters": [float(v) for v in numbers[6:10] if _is_number(v)]})
        component = _CASA_COMPONENT.match(line)
        if component:
            groups = component.groups()
            record = {"name": groups[0], "line_shape": groups[1], "rsf": float(groups[17])}
            for k, key in enumerate(("area", "fwhm", "position")):
                value, low, high, link, factor = (float(v) for v in groups[2 + 5 * k: 7 + 5 * k])
                record[key] = value
                record[f"{key}_limits"] = (low, high)
                record[f"{key}_link"] = (int(link), factor) if link >= 0 else None
            components.append(record)
    found = {"regions": regions, "components": components} if regions or components else {}
    return {**found, "calibration_shift_eV": shift} if calibrated else found


def _spectrum(block: dict, header: dict, path: Path, index: int, excitation: float | None) -> XpsSpectrum:
    data = block["data"]
    labels = [label for label, _ in block["columns"]]
    if header["scan"] == "REGULAR":
        if "start" not in block:
            raise ReadError(f"block {block['id']!r} has no abscissa", path=path)
        energy = block["start"] + block["step"] * np.arange(len(data))
        axis_label, ordinate = block["abscissa"], 0
    else:  # IRREGULAR: the abscissa is the first corresponding variable
        if data.shape[1] < 2:
            raise ReadError(f"IRREGULAR block {block['id']!r} has no ordinate beside its abscissa", path=path)
        energy, axis_label, ordinate = data[:, 0], labels[0], 1
    axis = "binding" if "binding" in axis_label.lower() else "kinetic"
    source_energy = block.get("source_energy")
    source_energy = source_energy if source_energy and source_energy < _UNSET / 10 else excitation
    intensity = data[:, ordinate]
    unit = block["columns"][ordinate][1]
    dwell, scans = block.get("collection_time"), block.get("scans")
    timed = bool(dwell and scans and 0 < dwell < _UNSET / 10 and scans > 0)
    per_second = "second" in block["id"].lower() or "/s" in unit.lower() or "cps" in unit.lower()
    if per_second:
        counts_per_unit = dwell * scans if timed else None
    elif timed:  # counts, as Kratos and PHI write them: shown as counts per second, as CasaXPS does
        intensity, counts_per_unit, unit = intensity / (dwell * scans), dwell * scans, "counts/s"
    else:
        counts_per_unit = 1.0
    name = " ".join(part for part in (block.get("species", ""), block.get("transition", "")) if part).strip()
    comment = block.get("comment", [])
    metadata = {
        "block": block["id"], "sample": block["sample"], "technique": block.get("technique"),
        "source": block.get("source"), "analyser_mode": block.get("analyser_mode"),
        "pass_energy_eV": block.get("pass_energy"), "collection_time_s": dwell, "scans": scans,
        "instrument": header["instrument"], "institution": header["institution"], "scan_mode": header["scan"],
        "intensity_unit": unit, "columns": labels,
    }
    if all(k in block for k in ("year", "month", "day")) and block["year"] > 0:
        metadata["acquired"] = (f"{block['year']:04d}-{block['month']:02d}-{block['day']:02d}T"
                                f"{block.get('hour', 0):02d}:{block.get('minute', 0):02d}:{block.get('second', 0):02d}")
    casa = casa_annotations(comment)
    if casa:
        metadata["casaxps"] = casa
    column = next((k for k, label in enumerate(labels) if "transmission" in label.lower()), None)
    transmission = data[:, column] if column is not None and column != ordinate else None
    return make_spectrum(energy, intensity, path=path, region=name or block["id"] or f"region {index + 1}", axis=axis,
                         excitation_energy_eV=source_energy, counts_per_unit=counts_per_unit,
                         metadata=metadata, block=str(index), transmission=transmission)


def write_vamas(spectra, path: str | PathLike, *, sample: str = "sample", excitation_energy_eV: float = 1486.6,
                source: str = "Al") -> Path:
    """Write XPS regions as a REGULAR VAMAS file (kinetic-energy abscissa, counts, dwell and scans).

    Each spectrum must be on a uniform binding-energy grid and know its counts
    (``counts_per_unit``); the counts are written, rounded to whole numbers. The file is written
    atomically and reads back with :func:`read_vamas` (and CasaXPS).

    Returns
    -------
    pathlib.Path
    """
    from redoxmap.io.tables import atomic_write

    path = Path(path)
    lines = [MAGIC, "redoxmap", "redoxmap virtual instrument", "redoxmap", sample, "1",
             "written by redoxmap.io.vamas.write_vamas", "NORM", "REGULAR", str(len(spectra)), "0", "0", "0", "0",
             "0", str(len(spectra))]
    for spectrum in spectra:
        energy = spectrum.binding_energy_eV
        steps = np.diff(energy)
        if not np.allclose(steps, steps[0], rtol=1e-6):
            raise AnalysisError(f"{spectrum.region}: a REGULAR VAMAS block needs a uniform energy grid")
        if not spectrum.counts_per_unit:
            raise AnalysisError(f"{spectrum.region}: counts are not known (counts_per_unit)")
        dwell = float(spectrum.metadata.get("collection_time_s") or spectrum.counts_per_unit)
        scans = int(spectrum.metadata.get("scans") or 1)
        species, _, transition = spectrum.region.partition(" ")
        counts = np.rint(spectrum.intensity_cps[::-1] * spectrum.counts_per_unit)  # kinetic energy ascending
        lines += [spectrum.region, sample, "2026", "1", "1", "0", "0", "0", "0", "0", "XPS", source,
                  f"{excitation_energy_eV}", "1e37", "1e37", "1e37", "1e37", "1e37", "FAT", "20", "1e37", "4.5",
                  "1e37", "1e37", "1e37", "1e37", "1e37", species, transition or " ", "-1", "kinetic energy", "eV",
                  f"{excitation_energy_eV - energy[-1]:.6f}", f"{steps[0]:.6f}", "1", "counts", "d",
                  "pulse counting", f"{dwell / scans:.6g}", str(scans), "0", "1e37", "1e37", "1e37", "0",
                  str(len(counts)), f"{counts.min():.0f}", f"{counts.max():.0f}"]
        lines += [f"{c:.0f}" for c in counts]
    lines.append("end of experiment")
    atomic_write(path, lambda tmp: tmp.write_text("\n".join(lines) + "\n", encoding="utf-8"))
    return path


READERS = (
    Reader("vamas", "xps", "VAMAS (ISO 14976)", (".vms", ".npl"), _sniff, read_vamas,
           "VAMAS .vms/.npl, REGULAR and IRREGULAR (CasaXPS, Kratos, SpecsLab, PHI MultiPak)",
           options=("excitation_energy_eV", "apply_calibration")),
)
