"""What only the whole file can tell: is it text all through, which Office document is
inside a zip, and does an MP4 or WebM carry a picture or only sound.

Blocking reads of a seekable file: run them in a thread.
"""

from __future__ import annotations

import struct
import zipfile
from dataclasses import replace
from typing import IO

from .content import DOCX, PPTX, XLSX, Sniffed, looks_like_text, unsupported

CHUNK = 64 * 1024
MAX_BOXES = 10_000  # a real file has a few hundred; more is a crafted one


def settle(found: Sniffed, file: IO[bytes]) -> Sniffed:
    """The final type, or 415 when the rest of the file does not bear the head out."""
    file.seek(0)
    try:
        if found.settle == "text":
            return _text(found, file)
        if found.settle == "office":
            return _office(found, file)
        if found.settle == "tracks":
            return _tracks(found, file)
        return found
    finally:
        file.seek(0)


def _text(found: Sniffed, file: IO[bytes]) -> Sniffed:
    carry = b""
    while chunk := file.read(CHUNK):
        data = carry + chunk
        cut = _complete_utf8(data)
        if not looks_like_text(data[:cut]):
            raise unsupported("Only UTF-8 plain text files are accepted.")
        carry = data[cut:]
    if carry and not looks_like_text(carry):
        raise unsupported("Only UTF-8 plain text files are accepted.")
    return replace(found, settle=None)


def _complete_utf8(data: bytes) -> int:
    """Where the last whole UTF-8 character ends (a chunk may cut one in two)."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte & 0xC0 != 0x80:  # a lead byte or ASCII
            needed = 1 if byte < 0x80 else 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return len(data) if needed <= back else len(data) - back
    return len(data)


def _office(found: Sniffed, file: IO[bytes]) -> Sniffed:
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise unsupported("The zip archive is damaged.") from None
    if "[Content_Types].xml" in names:
        for folder, mime in (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX)):
            if any(name.startswith(folder) for name in names):
                return replace(found, mime=mime, settle=None)
    raise unsupported("Of zip files only Word, Excel and PowerPoint documents are accepted.")


def _tracks(found: Sniffed, file: IO[bytes]) -> Sniffed:
    kinds = _mp4_handlers(file) if found.mime == "video/mp4" else _webm_track_types(file)
    if "video" in kinds:
        return replace(found, settle=None)
    if "audio" in kinds:
        return replace(found, kind="voice", mime=found.mime.replace("video/", "audio/"), settle=None)
    raise unsupported("The file has no playable tracks.")


def _mp4_handlers(file: IO[bytes]) -> set[str]:
    """Handler types of the tracks in moov/trak/mdia/hdlr: vide, soun, ..."""
    found: set[str] = set()
    end = file.seek(0, 2)
    budget = [MAX_BOXES]

    def walk(start: int, stop: int) -> None:
        position = start
        while position + 8 <= stop and budget[0] > 0:
            budget[0] -= 1
            file.seek(position)
            header = file.read(16)
            size, box = struct.unpack(">I4s", header[:8])
            header_size = 8
            if size == 1 and len(header) == 16:
                size, header_size = struct.unpack(">Q", header[8:16])[0], 16
            elif size == 0:
                size = stop - position
            if size < header_size:
                return
            if box in (b"moov", b"trak", b"mdia"):
                walk(position + header_size, min(position + size, stop))
            elif box == b"hdlr":
                file.seek(position + header_size + 8)  # version, flags, pre_defined
                handler = file.read(4)
                found.add({b"vide": "video", b"soun": "audio"}.get(handler, "other"))
            position += size

    walk(0, end)
    return found


SEGMENT, TRACKS, TRACK_ENTRY, TRACK_TYPE, CLUSTER = 0x18538067, 0x1654AE6B, 0xAE, 0x83, 0x1F43B675


def _webm_track_types(file: IO[bytes]) -> set[str]:
    """Track types from the Tracks element, which comes before the first Cluster."""
    data = file.read(1024 * 1024)
    found: set[str] = set()
    position = 0
    for _ in range(MAX_BOXES):
        element = _ebml_id(data, position)
        if element is None:
            break
        ident, id_size = element
        size, size_size = _ebml_size(data, position + id_size)
        if size_size == 0:
            break
        body = position + id_size + size_size
        if ident == CLUSTER:
            break
        if ident in (SEGMENT, TRACKS, TRACK_ENTRY):
            position = body  # step inside
            continue
        if size is None:
            break
        if ident == TRACK_TYPE:
            value = int.from_bytes(data[body : body + size], "big")
            found.add({1: "video", 2: "audio"}.get(value, "other"))
        position = body + size
    return found


def _ebml_id(data: bytes, position: int) -> tuple[int, int] | None:
    if position >= len(data) or data[position] == 0:
        return None
    length = 8 - data[position].bit_length() + 1
    if length > 4 or position + length > len(data):
        return None
    return int.from_bytes(data[position : position + length], "big"), length


def _ebml_size(data: bytes, position: int) -> tuple[int | None, int]:
    """(size, bytes used); size None means "unknown" (live recordings write that)."""
    if position >= len(data) or data[position] == 0:
        return None, 0
    length = 8 - data[position].bit_length() + 1
    if position + length > len(data):
        return None, 0
    value = int.from_bytes(data[position : position + length], "big") & ((1 << (7 * length)) - 1)
    return (None if value == (1 << (7 * length)) - 1 else value), length
