"""One fingerprint of everything a study's results are made from, so that a report can tell it is up to date.

The fingerprint is a SHA-256 over redoxmap's version, the manifest's bytes, every section's
parameters and, for every file the study names (its samples' files, the files their entries name,
files named by section parameters such as the XAS references), its path, size and modification
time. A second ``redoxmap report`` of a study whose fingerprint is the one its report was made from
has nothing to redo (:func:`redoxmap.report.up_to_date`).

Size and modification time are what ``make`` and ``rsync`` trust. A file rewritten with the same
size within the file system's timestamp resolution would be missed; contents are not hashed because
hashing every cycler file of a campaign costs about what decoding it does.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from redoxmap._version import __version__


def input_files(study) -> list[Path]:
    """Every file a study names, sorted: its samples' files, the files their entries name (channel
    maps, cycler files beside XRD and DEMS, SEM maps) and the files its sections name (XAS references,
    CIF, a DEMS calibration); each an absolute path that exists."""
    found: set[Path] = set()

    def visit(value) -> None:
        if isinstance(value, dict):
            for item in value.values():
                visit(item)
        elif isinstance(value, list | tuple):
            for item in value:
                visit(item)
        elif isinstance(value, str | Path) and value and Path(value).is_absolute():
            path = Path(value)  # the manifest resolved every path it names: relative strings are not files
            if path.is_file():
                found.add(path)

    for sample in study.samples:
        visit(sample.files)
        visit(sample.file_options)
    visit(study.parameter_values())
    return sorted(found)


def study_fingerprint(study) -> str:
    """The fingerprint of a study's inputs (see the module docstring).

    Parameters
    ----------
    study : redoxmap.study.Study
        A loaded study.

    Returns
    -------
    str
        64 hexadecimal digits.
    """
    digest = hashlib.sha256()
    digest.update(f"redoxmap {__version__}\n".encode())
    digest.update(study.path.read_bytes())
    digest.update(json.dumps(study.parameter_values(), sort_keys=True, default=str).encode())
    for path in input_files(study):
        stat = path.stat()
        digest.update(f"\n{path}\t{stat.st_size}\t{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def with_options(fingerprint: str, **options) -> str:
    """A fingerprint with ``options`` folded in: plain values that change what is made from the same
    inputs (a report's ``print_figures``)."""
    return hashlib.sha256(f"{fingerprint}\n{json.dumps(options, sort_keys=True)}".encode()).hexdigest()
