"""Zip containers (Rigaku .rasx, Bruker .brml), opened defensively.

Instrument archives are read member by member into memory, never extracted, and refused
when they look hostile or broken: too many members, too much uncompressed data, a
compression ratio only a zip bomb has, or member names that would escape a folder.
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath
from typing import Self

from redoxmap.errors import FormatError, ReadError

MAX_MEMBERS = 10_000
MAX_TOTAL_BYTES = 2_000_000_000  # a 4 MB .brml holds ~10 MB of XML; 2 GB leaves room for in situ stacks
MAX_RATIO = 200  # XML compresses about 10-30x; hundreds-fold only in crafted archives


class SafeZip:
    """Read-only access to the members of a checked zip archive.

    Parameters
    ----------
    path : pathlib.Path
        The archive.

    Raises
    ------
    ReadError
        When the file is not a readable zip, or fails the checks above.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._zip = zipfile.ZipFile(path)
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise ReadError(f"damaged or truncated archive ({exc})", path=path) from exc
        if len(infos) > MAX_MEMBERS:
            raise ReadError(f"archive holds {len(infos)} members (limit {MAX_MEMBERS})", path=path)
        total = sum(info.file_size for info in infos)
        if total > MAX_TOTAL_BYTES:
            raise ReadError(f"archive unpacks to {total / 1e9:.1f} GB (limit {MAX_TOTAL_BYTES / 1e9:.0f} GB)",
                            path=path)
        for info in infos:
            name = PurePosixPath(info.filename.replace("\\", "/"))
            if name.is_absolute() or ".." in name.parts:
                raise ReadError(f"archive member {info.filename!r} points outside the archive", path=path)
            if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 1e7:
                raise ReadError(f"archive member {info.filename!r} expands {info.file_size / info.compress_size:.0f}-"
                                "fold: refused as a likely zip bomb", path=path)
        self._names = [info.filename for info in infos]

    @property
    def names(self) -> list[str]:
        """Member names, in archive order."""
        return list(self._names)

    def read(self, name: str) -> bytes:
        """The bytes of one member.

        Raises
        ------
        FormatError
            When the member does not exist.
        ReadError
            When it cannot be decompressed (a truncated or corrupted archive).
        """
        if name not in self._names:
            raise FormatError(f"archive has no member {name!r}", path=self.path)
        try:
            return self._zip.read(name)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise ReadError(f"archive member {name!r} is damaged ({exc})", path=self.path) from exc

    def close(self) -> None:
        """Close the archive."""
        self._zip.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
