"""What a file is, told by its first bytes, and the limits that follow from that.

Only the content decides the kind and the size limit. The client's content type and
file name may only make us refuse: a "photo.png" that is really text is a mismatch.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal

from frontdesk_platform.errors import ApiError

AttachmentKind = Literal["image", "voice", "video", "file"]
# What only the whole file can confirm: UTF-8 text, an Office document inside a zip,
# or whether an MP4/WebM holds a picture (video) or only sound (voice).
Settle = Literal["text", "office", "tracks"]

HEAD_BYTES = 4096
MiB = 1024 * 1024

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

KIND_OF: dict[str, AttachmentKind] = {
    "image/png": "image",
    "image/jpeg": "image",
    "image/gif": "image",
    "image/webp": "image",
    "audio/ogg": "voice",
    "audio/mpeg": "voice",
    "audio/mp4": "voice",
    "audio/aac": "voice",
    "audio/amr": "voice",
    "audio/amr-wb": "voice",
    "audio/wav": "voice",
    "audio/webm": "voice",
    "video/mp4": "video",
    "video/quicktime": "video",
    "video/webm": "video",
    "application/pdf": "file",
    DOCX: "file",
    XLSX: "file",
    PPTX: "file",
    "text/plain": "file",
}
ALL_TYPES = tuple(KIND_OF)

EXTENSION_KIND: dict[str, AttachmentKind] = {
    **dict.fromkeys(
        ("png", "jpg", "jpeg", "jpe", "gif", "webp", "heic", "bmp", "svg", "tif", "tiff"), "image"
    ),
    **dict.fromkeys(("ogg", "oga", "opus", "mp3", "m4a", "aac", "amr", "awb", "wav"), "voice"),
    **dict.fromkeys(("mp4", "m4v", "mov", "webm", "mkv", "avi", "3gp"), "video"),
    **dict.fromkeys(("pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "csv", "md", "log"), "file"),
}
FILE_TYPES = ("text/", "application/pdf", "application/msword", "application/vnd.")

# ISO base media brands that say nothing about picture or sound: the tracks decide.
GENERIC_MP4_BRANDS = {
    b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash", b"mmp4", b"M4V ",
    b"MSNV", b"f4v ",
}  # fmt: skip


@dataclass(frozen=True)
class Sniffed:
    kind: AttachmentKind
    mime: str
    settle: Settle | None = None


def unsupported(message: str) -> ApiError:
    return ApiError(415, "unsupported_media_type", message)


def sniff(head: bytes) -> Sniffed | None:
    """The type the first bytes (up to HEAD_BYTES) prove, or None for anything we do not take."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("image", "image/png")
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed("image", "image/jpeg")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return Sniffed("image", "image/gif")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed("image", "image/webp")
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return Sniffed("voice", "audio/wav")
    if head[:4] == b"OggS" and (b"OpusHead" in head[:64] or b"\x01vorbis" in head[:64]):
        return Sniffed("voice", "audio/ogg")
    if head.startswith(b"#!AMR-WB\n"):
        return Sniffed("voice", "audio/amr-wb")
    if head.startswith(b"#!AMR\n"):
        return Sniffed("voice", "audio/amr")
    if head.startswith(b"ID3") or _mpeg_audio_frame(head):
        return Sniffed("voice", "audio/mpeg")
    if _adts_frame(head):
        return Sniffed("voice", "audio/aac")
    if head[4:8] == b"ftyp":
        return _iso_media(head[8:12])
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head[:64]:
        return Sniffed("video", "video/webm", "tracks")
    if head.startswith(b"%PDF-"):
        return Sniffed("file", "application/pdf")
    if head.startswith(b"PK\x03\x04"):
        return Sniffed("file", "application/zip", "office")
    if head and looks_like_text(head, final=len(head) < HEAD_BYTES):
        return Sniffed("file", "text/plain", "text")
    return None


def _iso_media(brand: bytes) -> Sniffed | None:
    if brand in (b"M4A ", b"M4B "):
        return Sniffed("voice", "audio/mp4")
    if brand == b"qt  ":
        return Sniffed("video", "video/quicktime")
    if brand in GENERIC_MP4_BRANDS:
        return Sniffed("video", "video/mp4", "tracks")
    return None  # HEIC, 3GP, JPEG 2000 and others we do not take


def _mpeg_audio_frame(head: bytes) -> bool:
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer = (head[1] >> 3) & 3, (head[1] >> 1) & 3
    bitrate, rate = head[2] >> 4, (head[2] >> 2) & 3
    return version != 1 and layer != 0 and bitrate not in (0, 15) and rate != 3


def _adts_frame(head: bytes) -> bool:
    return len(head) >= 7 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0 and (head[2] >> 2) & 0xF < 13


_CONTROL = bytes(c for c in range(32) if chr(c) not in "\t\n\r\f") + b"\x7f"


def looks_like_text(chunk: bytes, final: bool = True) -> bool:
    """UTF-8 without control characters. With final=False a cut multi-byte character at
    the end is fine (the next chunk completes it)."""
    if chunk.translate(None, _CONTROL) != chunk:
        return False
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError as exc:
        return not final and exc.reason == "unexpected end of data"
    return True


@dataclass(frozen=True)
class Rules:
    """How big each kind may be and which types this shop system takes."""

    max_bytes: dict[AttachmentKind, int]
    allowed_types: frozenset[str]
    max_image_pixels: int = 50_000_000

    @property
    def largest(self) -> int:
        return max(self.max_bytes.values())

    def check_size(self, kind: AttachmentKind, size: int) -> None:
        limit = self.max_bytes[kind]
        if size > limit:
            raise ApiError(
                413,
                "attachment_too_large",
                f"{'An' if kind == 'image' else 'A'} {kind} attachment has at most {_size(limit)}.",
                {"kind": kind, "max_bytes": limit},
            )

    def check_type(self, found: Sniffed, declared_type: str, name: str) -> None:
        """Refuse a type we do not take, and content that is not what its label says."""
        if found.mime not in self.allowed_types:
            raise unsupported(f"{found.mime} attachments are not accepted.")
        for claimed in (kind_of_declared_type(declared_type), kind_of_name(name)):
            if claimed is not None and claimed != found.kind:
                raise unsupported(f"The content is {found.mime}, which does not match its name or type.")


def kind_of_declared_type(content_type: str) -> AttachmentKind | None:
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime in KIND_OF:
        return KIND_OF[mime]
    top = mime.partition("/")[0]
    if top == "image":
        return "image"
    if top == "audio":
        return "voice"
    if top == "video":
        return "video"
    if mime.startswith(FILE_TYPES):
        return "file"
    return None  # application/octet-stream and the like claim nothing


def kind_of_name(name: str) -> AttachmentKind | None:
    return EXTENSION_KIND.get(PurePosixPath(name).suffix.lower().lstrip("."))


def _size(limit: int) -> str:
    return f"{limit / MiB:g} MiB" if limit >= MiB else f"{limit} bytes"
