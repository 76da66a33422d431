"""What a reader is: a named parser of one file format, for one modality.

Every format module under :mod:`redoxmap.io` declares its readers in a module-level
``READERS`` tuple of :class:`Reader`; the registry (:mod:`redoxmap.io.registry`) collects
them, so a format module never imports the registry (and the registry imports the
format modules only by name, when a file is first read).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from redoxmap.errors import AnalysisError, ReadError

HEAD_BYTES = 65536
READER_MODALITIES = (
    "cycling",
    "cv",
    "eis",
    "xas",
    "xrd",
    "images",
    "sem",
    "xps",
    "dems",
)  # as a study manifest names its sections
"""The kinds of measurement a reader can serve, in the order ``redoxmap formats`` lists them."""


@dataclass(frozen=True)
class Reader:
    """A file-format reader.

    Attributes
    ----------
    name : str
        Short identifier, unique within its modality; usable as ``format=`` where a reader
        can be forced (``redoxmap.read_cycling(path, format="arbin-csv")``).
    modality : str
        What the file holds: one of :data:`READER_MODALITIES`, or the name of a modality a plugin
        declares (:class:`redoxmap.study.Modality`), which reads its files through its own readers.
    instrument : str
        The instrument family, recorded in the metadata of what it reads.
    extensions : tuple of str
        Lower-case file name endings it claims (``".mpt"``, ``".bdf.csv"``).
    sniff : callable
        ``sniff(head: bytes, path: Path) -> bool``: does the file look like this format? It
        sees the file's first 64 kB; it raises :class:`~redoxmap.errors.ReadError` only for a
        file that is this format but damaged or unsafe (any other exception counts as "no").
    read : callable
        ``read(path: Path, **options)``; what it returns depends on the modality (a
        ``RawCycling`` table, a list of ``Pattern``, of ``ImpedanceSpectrum``, a
        ``SpectrumTable``, a ``Micrograph``, a ``SemSection``, a list of ``XpsSpectrum``
        or an ``MsRecording``).
    description : str
        One line for ``redoxmap formats``.
    options : tuple of str
        Keyword options ``read`` accepts beyond the path.
    fallback : bool
        Tried only after every instrument-specific reader of its modality (generic tables).
    """

    name: str
    modality: str
    instrument: str
    extensions: tuple[str, ...]
    sniff: Callable[[bytes, Path], bool]
    read: Callable[..., object]
    description: str = ""
    options: tuple[str, ...] = field(default_factory=tuple)
    fallback: bool = False

    @cached_property
    def extension_set(self) -> frozenset[str]:
        """:attr:`extensions` as a set, for looking a file name's endings up."""
        return frozenset(self.extensions)

    def __post_init__(self):
        endings = self.extensions
        if isinstance(endings, str) or not all(isinstance(e, str) and e for e in endings):
            raise AnalysisError(f"reader {self.name!r}: extensions must be a tuple of file name endings such as "
                                f"('.csv',), not {endings!r}")
        # a tuple of lower-case endings, as file names are matched: a list its author changes later would leave
        # extension_set stale, and an upper-case ending would never match
        object.__setattr__(self, "extensions", tuple(e.lower() for e in endings))
        if not (isinstance(self.modality, str) and self.modality.isidentifier()):
            raise AnalysisError(f"reader {self.name!r}: modality must be a name such as "
                                f"{', '.join(READER_MODALITIES)} (or a plugin modality's), not {self.modality!r}")


def read_head(path: Path) -> bytes:
    """The first bytes of a file, with clear errors for missing, unreadable or empty files."""
    path = Path(path)
    try:
        kind = os.stat(path).st_mode  # one look before opening (a pipe would block the open)
    except (FileNotFoundError, NotADirectoryError):
        raise ReadError("file does not exist", path=path) from None
    except OSError as exc:
        raise ReadError(f"cannot be opened ({exc.strerror})", path=path) from exc
    except ValueError as exc:  # a NUL byte in the name, or one the file system cannot encode
        raise ReadError(f"is not a usable file name ({exc})", path=path) from None
    if stat.S_ISDIR(kind):
        raise ReadError("is a folder, not a file", path=path)
    if not stat.S_ISREG(kind):  # a device (a link to /dev/zero never ends), a pipe, a socket
        raise ReadError("is not a regular file (a device, a pipe or a socket)", path=path)
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError as exc:
        raise ReadError(f"cannot be opened ({exc.strerror})", path=path) from exc
    if not head.strip():
        raise ReadError("file is empty", path=path)
    return head
