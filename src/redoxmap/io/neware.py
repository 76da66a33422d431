"""Neware binary files (``.nda``, ``.ndax``) through fastnda.

fastnda (BSD-3, Empa and SES AI) decodes every known NDA version in compiled code,
an order of magnitude faster than the pure-Python readers; we only map its columns.
"""

from __future__ import annotations

import logging
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from redoxmap.errors import ReadError
from redoxmap.io.archives import check_archive
from redoxmap.io.raw import RawCycling, checked
from redoxmap.io.reader import Reader

_NDA_MAGIC = b"NEWARE"


def _sniff(head: bytes, path: Path) -> bool:
    if head.startswith(_NDA_MAGIC):
        return True
    # .ndax is a zip archive of .ndc members.
    return head.startswith(b"PK\x03\x04") and b".ndc" in head


def read_neware(path: Path) -> RawCycling:
    """Read a Neware ``.nda`` or ``.ndax`` file."""
    import fastnda

    zipped = head_is_zip(path)
    if zipped:
        check_archive(path)  # a damaged archive or a zip bomb is refused before fastnda unpacks it
    try:
        frame = _decoded(fastnda, path, zipped)
    except ReadError:  # the member check's, naming the damaged member
        raise
    except Exception as exc:  # fastnda raises many types on damaged files
        if zipped and isinstance(exc, _unpacking_errors()):
            raise ReadError(f"fastnda could not unpack the archive in {UNPACK_ATTEMPTS} attempts although each member "
                            f"unpacks alone ({type(exc).__name__}: {exc}){_race_note()}", path=path) from exc
        raise ReadError(f"not a readable Neware file ({type(exc).__name__}: {exc})", path=path) from exc
    if frame.height == 0:
        raise ReadError("the Neware file holds no records", path=path)
    def column(name: str, dtype=float) -> np.ndarray:  # a polars column as numpy, converted only if needed
        return np.asarray(frame[name].to_numpy(), dtype=dtype)

    current = column("current_mA") / 1000.0
    capacity = np.abs(column("capacity_mAh")) / 1000.0
    table = {  # column arrays: checked() builds the one DataFrame
        "time_s": column("total_time_s"),
        "voltage_V": column("voltage_V"),
        "current_A": current,
        "instrument_cycle": column("cycle_count", np.int64),
        "instrument_step": column("step_count", np.int64),
        # fastnda's capacity is the charge passed since the start of the step.
        "instrument_charge_capacity_Ah": np.where(current > 0, capacity, 0.0),
        "instrument_discharge_capacity_Ah": np.where(current < 0, capacity, 0.0),
    }
    for column in frame.columns:  # fastnda: aux1_voltage_V, aux1_temperature_degC, ...
        match = re.fullmatch(r"aux(\d+)_(voltage_V|temperature_degC)", column)
        if match:
            quantity = "voltage_V" if match.group(2) == "voltage_V" else "temperature_C"
            values = np.asarray(frame[column].to_numpy(), dtype=float)
            if np.any(values != 0):  # an input that logs zero throughout is not connected
                table[f"aux{match.group(1)}_{quantity}"] = values
    temperatures = sorted(c for c in table if c.endswith("_temperature_C"))
    if temperatures:
        table["temperature_C"] = table[temperatures[0]].copy()  # the first thermocouple: the cell's (its own array)
    metadata = {}
    if not zipped:  # an .ndax's metadata is nested XML, none of it a plain value: not read
        try:
            with _quiet_fastnda():
                metadata = {k: v for k, v in fastnda.read_metadata(str(path)).items() if not isinstance(v, dict)}
        except Exception:  # noqa: BLE001 - metadata is optional; the records are what matter
            metadata = {}
    return checked(RawCycling(table, instrument="Neware", reader="neware", source_file=path,
                              metadata=metadata))


UNPACK_ATTEMPTS = 5
"""How often an ``.ndax`` whose members all unpack alone is decoded before an unpacking error is taken as final.
fastnda unpacks an archive's members in threads from one ``zipfile.ZipFile``, and CPython 3.12.1 and 3.13.0
corrupt such reads now and then (CPython issue gh-128258): on 3.12.1, 28 of 328 decodes of the sound
``NewareNDA/test_2.ndax`` failed with a deflate or CRC error (its three members read in threads), and a script
reading its members from threads failed 7 of 60 times on 3.12.1 and 3 of 60 on 3.13.0, none of 60 on 3.11.7
(2026-12-07; later patch releases were not tried). At 28 in 328, five attempts leave about 4 in 10^6 reads failing
if attempts fail independently (not measured). After the first such error the archive is checked member by member,
in one thread: a damaged member is named at once, without the further attempts."""


def _unpacking_errors() -> tuple[type[BaseException], ...]:
    """What a corrupted decompression raises: zlib's and zipfile's errors, and isal's where fastnda uses it."""
    import zipfile
    import zlib

    errors: tuple[type[BaseException], ...] = (zlib.error, zipfile.BadZipFile, EOFError)
    try:
        from isal import isal_zlib
    except ImportError:
        return errors
    return (*errors, isal_zlib.error)


def _decoded(fastnda, path: Path, zipped: bool):
    """fastnda's records of a Neware file. After an unpacking error an ``.ndax`` is checked member by member (a
    damaged one is refused, naming it) and, if every member unpacks alone, decoded again, up to
    :data:`UNPACK_ATTEMPTS` times in all."""
    def once():
        with _quiet_fastnda(), _with_neware_suffix(path, zipped) as readable:
            return fastnda.read(str(readable), cycle_mode="raw")

    if not zipped:
        return once()
    for attempt in range(1, UNPACK_ATTEMPTS):
        try:
            return once()
        except _unpacking_errors():
            if attempt == 1:
                check_archive(path, verify=True)
    return once()


def _race_note() -> str:
    """Why a sound archive may not unpack, on the Python versions where that was seen."""
    import platform
    import sys

    if sys.version_info < (3, 12):
        return ""
    return (f"; on Python {platform.python_version()}, reading one zip archive from several threads, as fastnda does, "
            "can fail now and then (CPython issue gh-128258; Python 3.11 had no such failures here)")


@contextmanager
def _quiet_fastnda():
    """Keep fastnda's log messages (about its own cycle modes and aux files) off the terminal.

    We read ``total_time_s`` and use ``cycle_mode="raw"``, which is what those messages advise.
    """
    logger = logging.getLogger("fastnda")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)


@contextmanager
def _with_neware_suffix(path: Path, zipped: bool):
    """The file (a zip archive: ``zipped``) under a name fastnda accepts (it dispatches on the extension).

    A mislabelled file is recognised by its content; a symbolic link with the right
    extension lets fastnda read it without copying or touching the original.
    """
    suffix = ".ndax" if zipped else ".nda"
    if path.suffix.lower() == suffix:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="redoxmap-") as folder:
        link = Path(folder) / f"data{suffix}"
        link.symlink_to(path.resolve())
        yield link


def head_is_zip(path: Path) -> bool:
    """Whether a file starts like a zip archive."""
    with path.open("rb") as handle:
        return handle.read(4) == b"PK\x03\x04"


READERS = (
    Reader(
        name="neware", modality="cycling", instrument="Neware", extensions=(".nda", ".ndax"),
        sniff=_sniff, read=read_neware, description="Neware binary .nda/.ndax (via fastnda)",
    ),
)
