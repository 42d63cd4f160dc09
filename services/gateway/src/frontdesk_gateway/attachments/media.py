"""What a client shows before it downloads: an image's size and thumbnail, a recording's length.

Blocking (Pillow decodes, mutagen reads): run in a thread.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from typing import IO, Any

from frontdesk_platform.errors import ApiError
from mutagen import aac, mp3, mp4, oggopus, oggvorbis, wave
from PIL import ExifTags, Image, ImageOps

from .content import Sniffed, unsupported

log = logging.getLogger(__name__)

THUMBNAIL_PX = 320
THUMBNAIL_MIME = "image/jpeg"
ROTATED = {5, 6, 7, 8}  # EXIF orientations that swap width and height


@dataclass(frozen=True)
class Details:
    width: int | None = None
    height: int | None = None
    duration_ms: int | None = None
    thumbnail: bytes | None = None


def describe(found: Sniffed, file: IO[bytes], max_image_pixels: int) -> Details:
    file.seek(0)
    try:
        if found.kind == "image":
            return _image(file, max_image_pixels)
        if found.kind in ("voice", "video"):
            return Details(duration_ms=_duration_ms(found.mime, file))
        return Details()
    finally:
        file.seek(0)


def _image(file: IO[bytes], max_pixels: int) -> Details:
    try:
        with Image.open(file) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise ApiError(
                    413,
                    "attachment_too_large",
                    f"An image has at most {max_pixels / 1e6:g} megapixels.",
                    {"kind": "image", "max_pixels": max_pixels},
                )
            if image.getexif().get(ExifTags.Base.Orientation) in ROTATED:
                width, height = height, width
            return Details(width=width, height=height, thumbnail=_thumbnail(image))
    except Image.DecompressionBombError:
        raise ApiError(413, "attachment_too_large", "The image has too many pixels.") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise unsupported("The image could not be read.") from exc


def _thumbnail(image: Image.Image) -> bytes:
    image.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))  # a JPEG decodes at a fraction of its size
    upright = ImageOps.exif_transpose(image)
    if upright.mode in ("RGBA", "LA", "P", "PA"):
        rgba = upright.convert("RGBA")
        upright = Image.new("RGB", rgba.size, "white")
        upright.paste(rgba, mask=rgba.getchannel("A"))
    elif upright.mode != "RGB":
        upright = upright.convert("RGB")
    out = io.BytesIO()
    upright.save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()


def _duration_ms(mime: str, file: IO[bytes]) -> int | None:
    reader = _duration_reader(mime)
    if reader is None:
        return None
    try:
        length = reader(file).info.length
    except Exception:
        log.info("no duration from a %s attachment", mime, exc_info=True)
        return None
    return round(length * 1000) if length and length > 0 else None


def _duration_reader(mime: str) -> Any:
    """The mutagen reader for a type; AMR and WebM it cannot measure."""
    if mime == "audio/ogg":
        return _ogg(oggopus.OggOpus, oggvorbis.OggVorbis)
    return {
        "audio/mpeg": mp3.MP3,
        "audio/aac": aac.AAC,
        "audio/wav": wave.WAVE,
        "audio/mp4": mp4.MP4,
        "video/mp4": mp4.MP4,
        "video/quicktime": mp4.MP4,
    }.get(mime)


def _ogg(opus: Any, vorbis: Any) -> Any:
    def read(file: IO[bytes]) -> Any:
        head = file.read(64)
        file.seek(0)
        return opus(file) if b"OpusHead" in head else vorbis(file)

    return read
