"""A deterministic mutator over real instrument files: the damage files suffer in the wild.

Every mutation takes the original bytes and a ``random.Random`` and returns new bytes; a case is
(source file, mutation name, seed), so a failing case is reproduced exactly by its id.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from collections.abc import Callable

Mutation = Callable[[bytes, random.Random], bytes]
_NUMBER = re.compile(rb"(?<![\w.])[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![\w.])")


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _is_data_line(line: bytes) -> bool:
    tokens = re.split(rb"[\s,;]+", line.strip())
    numbers = sum(bool(_NUMBER.fullmatch(t)) for t in tokens if t)
    return numbers >= 2 and numbers >= 0.6 * len([t for t in tokens if t])


def truncate(fraction: float) -> Mutation:
    def cut(data: bytes, rng: random.Random) -> bytes:
        return data[:int(len(data) * fraction)]
    return cut


def truncate_random(data: bytes, rng: random.Random) -> bytes:
    return data[:rng.randrange(0, max(len(data), 1))]


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice((1, 4, 32))):
        if out:
            out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def zero_block(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    start = rng.randrange(len(data))
    size = rng.choice((16, 512, 4096))
    return data[:start] + b"\x00" * min(size, len(data) - start) + data[start + size:]


def delete_block(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    start = rng.randrange(len(data))
    return data[:start] + data[start + rng.choice((1, 100, 2000)):]


def duplicate_block(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    start = rng.randrange(len(data))
    block = data[start:start + rng.choice((50, 1000))]
    return data[:start] + block + data[start:]


def non_utf8(data: bytes, rng: random.Random) -> bytes:
    out = data
    for _ in range(3):
        at = rng.randrange(max(len(out), 1))
        out = out[:at] + bytes([rng.choice((0x80, 0xC3, 0xFF, 0xFE, 0x92))]) + out[at:]
    return out


def long_line(data: bytes, rng: random.Random) -> bytes:
    """A 4 MB line of spaces (or of one digit) after the first line, in a header or a comment."""
    lines = _lines(data)
    filler = b" " * 4_000_000 if rng.random() < 0.5 else b"# " + b"7" * 4_000_000
    at = min(1, len(lines))
    return b"\n".join(lines[:at] + [filler] + lines[at:])


def long_field(data: bytes, rng: random.Random) -> bytes:
    """4 MB of spaces (or tabs) at the end of one of the first lines: a header field gone wrong."""
    lines = _lines(data)
    at = rng.randrange(min(len(lines), 12))
    lines[at] = lines[at].rstrip(b"\r") + rng.choice((b" ", b"\t")) * 4_000_000
    return b"\n".join(lines)


def space_run(data: bytes, rng: random.Random) -> bytes:
    """10 MB of spaces (or tabs) inside one of the first lines: a header or comment field gone wrong, where
    a pattern with a lazy value and trailing blanks turns quadratic."""
    lines = _lines(data)
    at = rng.randrange(min(len(lines), 30))
    cut = rng.randrange(len(lines[at]) + 1)
    lines[at] = lines[at][:cut] + rng.choice((b" ", b"\t")) * 10_000_000 + lines[at][cut:]
    return b"\n".join(lines)


def _map_data_lines(data: bytes, change: Callable[[bytes], bytes]) -> bytes:
    return b"\n".join(change(line) if _is_data_line(line) else line for line in _lines(data))


def nan_table(data: bytes, rng: random.Random) -> bytes:
    return _map_data_lines(data, lambda line: _NUMBER.sub(b"nan", line))


def empty_table(data: bytes, rng: random.Random) -> bytes:
    return b"\n".join(line for line in _lines(data) if not _is_data_line(line))


def huge_values(data: bytes, rng: random.Random) -> bytes:
    value = rng.choice((b"1e308", b"-1e308", b"inf", b"1e300"))
    return _map_data_lines(data, lambda line: _NUMBER.sub(value, line))


def duplicate_header(data: bytes, rng: random.Random) -> bytes:
    """The last text line before the data gets its first column name twice (once with a trailing space)."""
    lines = _lines(data)
    first_data = next((i for i, line in enumerate(lines) if _is_data_line(line)), None)
    if not first_data:
        return data
    header = lines[first_data - 1]
    separator = next((s for s in (b"\t", b";", b",") if s in header), b" ")
    names = header.split(separator)
    if len(names) < 2:
        return data
    names[1] = names[0].rstrip() + b" "
    lines[first_data - 1] = separator.join(names)
    return b"\n".join(lines)


TEXT_MUTATIONS: dict[str, Mutation] = {
    "empty": truncate(0.0),
    "one_byte": truncate(1e-9),
    "cut_10": truncate(0.1),
    "cut_50": truncate(0.5),
    "cut_90": truncate(0.9),
    "cut_random": truncate_random,
    "flip": flip_bytes,
    "zero_block": zero_block,
    "delete_block": delete_block,
    "duplicate_block": duplicate_block,
    "non_utf8": non_utf8,
    "long_line": long_line,
    "long_field": long_field,
    "space_run": space_run,
    "nan_table": nan_table,
    "empty_table": empty_table,
    "huge_values": huge_values,
    "duplicate_header": duplicate_header,
}
BINARY_MUTATIONS: dict[str, Mutation] = {
    name: TEXT_MUTATIONS[name] for name in ("empty", "one_byte", "cut_10", "cut_50", "cut_90", "cut_random", "flip",
                                            "zero_block", "delete_block", "duplicate_block")}


# --------------------------------------------------------------------------- archives


def _rezip(data: bytes, change: Callable[[zipfile.ZipFile, zipfile.ZipFile], None]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as target:
        change(source, target)
    return buffer.getvalue()


def _one_member(data: bytes, rng: random.Random, damage: Callable[[bytes], bytes]) -> bytes:
    """One member's content damaged, re-zipped (a valid archive holding a damaged file)."""
    def change(source, target):
        names = source.namelist()
        victim = rng.choice(names)
        for name in names:
            content = source.read(name)
            target.writestr(name, damage(content) if name == victim else content)
    return _rezip(data, change)


def zip_damaged_member(data: bytes, rng: random.Random) -> bytes:
    return _one_member(data, rng, lambda content: content[:len(content) // rng.choice((2, 5, 50))])


def zip_flipped_member(data: bytes, rng: random.Random) -> bytes:
    return _one_member(data, rng, lambda content: flip_bytes(content, rng))


def zip_path_escape(data: bytes, rng: random.Random) -> bytes:
    def change(source, target):
        for name in source.namelist():
            target.writestr(name, source.read(name))
        target.writestr("../../escaped.txt", b"outside")
    return _rezip(data, change)


def zip_bomb(data: bytes, rng: random.Random) -> bytes:
    """The largest member replaced by 1.5 GB of zeros (about 1.5 MB deflated)."""
    size = 1_500_000_000

    def change(source, target):
        names = source.namelist()
        largest = max(names, key=lambda n: source.getinfo(n).file_size)
        for name in names:
            if name != largest:
                target.writestr(name, source.read(name))
        info = zipfile.ZipInfo(largest)
        info.compress_type = zipfile.ZIP_DEFLATED
        with target.open(info, "w", force_zip64=True) as handle:
            chunk = b"\x00" * (16 << 20)
            for _ in range(size // len(chunk)):
                handle.write(chunk)
    return _rezip(data, change)


ZIP_MUTATIONS: dict[str, Mutation] = {"zip_damaged_member": zip_damaged_member,
                                      "zip_flipped_member": zip_flipped_member, "zip_path_escape": zip_path_escape}
ZIP_BOMB: dict[str, Mutation] = {"zip_bomb": zip_bomb}


# --------------------------------------------------------------------------- XML

_BOMB_DTD = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
             + b"".join(b'<!ENTITY lol%d "%s">' % (k, (b"&lol%d;" % (k - 1) if k > 1 else b"&lol;") * 10)
                        for k in range(1, 10))
             + b"]>\n")
_EXTERNAL_DTD = b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'


def _with_doctype(data: bytes, doctype: bytes, entity: bytes) -> bytes:
    body = re.sub(rb"^\s*<\?xml[^>]*\?>\s*", b"", data, count=1)
    close = body.find(b">")
    if close < 0:
        return doctype + body
    return doctype + body[:close + 1] + entity + body[close + 1:]


def xml_entity_bomb(data: bytes, rng: random.Random) -> bytes:
    return _with_doctype(data, _BOMB_DTD, b"&lol9;")


def xml_external_entity(data: bytes, rng: random.Random) -> bytes:
    return _with_doctype(data, _EXTERNAL_DTD, b"&xxe;")


def xml_odd_encoding(data: bytes, rng: random.Random) -> bytes:
    """The declaration names an encoding no codec has (or one the content is not in)."""
    name = rng.choice((b"x-unknown-8", b"utf-7", b"UTF-16", b"ebcdic-cp-us", b""))
    declaration = b'<?xml version="1.0" encoding="%s"?>' % name
    return re.sub(rb"^\s*<\?xml[^>]*\?>", declaration, data, count=1) if data.lstrip().startswith(b"<?xml") \
        else declaration + b"\n" + data


XML_MUTATIONS: dict[str, Mutation] = {"xml_entity_bomb": xml_entity_bomb, "xml_external_entity": xml_external_entity,
                                      "xml_odd_encoding": xml_odd_encoding}


# --------------------------------------------------------------------------- the file itself

def _unchanged(data: bytes, rng: random.Random) -> bytes:
    return data


# Not damage to the bytes but to how the file arrives: under another format's name, or as a link to a
# device that never ends. The harness places these files itself (see ``harness._place``).
RENAMES: dict[str, str] = {"as_txt": ".txt", "as_xdi": ".xdi", "as_csv": ".csv"}
PLACEMENTS: dict[str, Mutation] = {**{name: _unchanged for name in RENAMES}, "link_dev_zero": _unchanged}
