"""Zip containers (Rigaku .rasx, Bruker .brml, Neware .ndax, Excel .xlsx), opened defensively.

Instrument archives are read member by member into memory, never extracted, and refused
when they look hostile or broken: too many members, more uncompressed data than an archive of
its size holds, a compression ratio only a zip bomb has, or member names that would escape a folder.
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath
from typing import Self

from redoxmap.errors import FormatError, ReadError

MAX_MEMBERS = 10_000
MAX_TOTAL_BYTES = 2_000_000_000  # a 4 MB .brml holds ~10 MB of XML; 2 GB leaves room for in situ stacks
MAX_RATIO = 200  # XML compresses about 10-30x; hundreds-fold only in crafted archives
# The unpacked size a reader may meet is bound by the archive's own size: XML and cycler records compress
# 3-30 fold, so 50 times the archive (at least 100 MB) holds every real file and keeps a member of
# 1.9 GB at 140-fold (under the ratio limit) from being read into memory.
TYPICAL_RATIO = 50
MIN_UNPACKED_BOUND = 100_000_000


def unpacked_bound(archive_bytes: int) -> int:
    """The most an archive of this size may unpack to (see ``TYPICAL_RATIO``)."""
    return int(min(MAX_TOTAL_BYTES, max(MIN_UNPACKED_BOUND, TYPICAL_RATIO * archive_bytes)))


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
        except Exception as exc:
            # NotImplementedError (a "version" byte flipped), struct.error, ...
            raise ReadError(f"damaged or truncated archive ({type(exc).__name__}: {exc})", path=path) from exc
        if len(infos) > MAX_MEMBERS:
            raise ReadError(f"archive holds {len(infos)} members (limit {MAX_MEMBERS})", path=path)
        total = sum(info.file_size for info in infos)
        bound = unpacked_bound(path.stat().st_size)
        if total > bound:
            raise ReadError(f"archive of {path.stat().st_size / 1e6:.1f} MB unpacks to {total / 1e9:.2f} GB (limit "
                            f"{bound / 1e9:.2f} GB: {TYPICAL_RATIO} times the archive, at least "
                            f"{MIN_UNPACKED_BOUND / 1e6:.0f} MB, at most {MAX_TOTAL_BYTES / 1e9:.0f} GB)", path=path)
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
        except Exception as exc:
            raise ReadError(f"archive member {name!r} is damaged ({type(exc).__name__}: {exc})",
                            path=self.path) from exc

    def verify(self) -> None:
        """Decompress every member once (checking its CRC), so that a damaged one is found before a
        third-party decoder meets it.

        Raises
        ------
        ReadError
            Naming the first damaged member.
        """
        for name in self._names:
            self.read(name)

    def close(self) -> None:
        """Close the archive."""
        self._zip.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def zip_holds(head: bytes, path: Path, pattern) -> bool:
    """Sniff helper: is the file a zip archive with a member whose name matches ``pattern`` (a compiled
    regular expression)? A damaged or hostile archive raises :class:`ReadError` (see :class:`SafeZip`)."""
    if not head.startswith(b"PK\x03\x04"):
        return False
    with SafeZip(path) as archive:
        return any(pattern.fullmatch(n) for n in archive.names)


def check_archive(path: Path, *, verify: bool = False) -> None:
    """Refuse a zip container that is damaged, hostile (a bomb, escaping names) or, with ``verify``,
    holds a member that does not decompress; for readers that hand the file to another library."""
    with SafeZip(path) as archive:
        if verify:
            archive.verify()


MAX_GUNZIPPED_BYTES = 500_000_000  # an Athena project of a thousand spectra is ~100 MB unpacked


def gunzip(data: bytes, path: Path, *, limit: int = MAX_GUNZIPPED_BYTES) -> bytes:
    """Unpack gzip data, refusing a damaged stream or one that unpacks beyond ``limit`` bytes (a bomb),
    without ever holding more than that in memory."""
    import zlib

    unpacker = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    try:
        out = unpacker.decompress(data, limit + 1)
        if len(out) > limit or unpacker.unconsumed_tail:
            raise ReadError(f"unpacks to more than {limit / 1e6:.0f} MB: refused as a likely gzip bomb", path=path)
        out += unpacker.flush()
    except ReadError:
        raise
    except Exception as exc:
        raise ReadError(f"damaged gzip data ({type(exc).__name__}: {exc})", path=path) from exc
    if not unpacker.eof:
        raise ReadError("the gzip data end early (a truncated file)", path=path)
    return out

