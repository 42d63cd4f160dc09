"""What a file is and whether it may come in: told by its content, with tiny real files."""

from __future__ import annotations

import io
import struct
import wave
import zipfile
from collections.abc import AsyncIterator

import httpx
import pytest
from frontdesk_gateway.attachments.containers import settle
from frontdesk_gateway.attachments.content import DOCX, XLSX, Rules, Sniffed, sniff
from frontdesk_gateway.attachments.media import describe
from frontdesk_gateway.attachments.upload import clean_name, receive
from frontdesk_platform.errors import ApiError
from PIL import Image

MiB = 1024 * 1024
RULES = Rules(
    max_bytes={"image": 10 * MiB, "voice": 5 * MiB, "video": 50 * MiB, "file": 20 * MiB},
    allowed_types=frozenset(
        {
            "image/png",
            "image/jpeg",
            "image/gif",
            "image/webp",
            "audio/wav",
            "audio/mpeg",
            "audio/ogg",
            "audio/mp4",
            "video/mp4",
            "audio/webm",
            "video/webm",
            "application/pdf",
            "text/plain",
            DOCX,
            XLSX,
        }
    ),
)


def image(fmt: str, size: tuple[int, int] = (640, 480), mode: str = "RGB", **save: object) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "orange").save(out, fmt, **save)
    return out.getvalue()


def wav(seconds: float = 1.5, rate: int = 8000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x00" * int(rate * seconds))
    return out.getvalue()


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def office(folder: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(f"{folder}/document.xml", "<doc/>")
    return out.getvalue()


def box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(body), kind) + body


def mp4(handler: bytes, brand: bytes = b"isom") -> bytes:
    hdlr = box(b"hdlr", b"\x00" * 8 + handler + b"\x00" * 12)
    return box(b"ftyp", brand + b"\x00\x00\x02\x00" + brand) + box(b"moov", box(b"trak", box(b"mdia", hdlr)))


def ebml(ident: int, body: bytes, unknown_size: bool = False) -> bytes:
    size = b"\x01\xff\xff\xff\xff\xff\xff\xff" if unknown_size else bytes([0x80 | len(body)])
    return ident.to_bytes((ident.bit_length() + 7) // 8, "big") + size + body


def webm(track_type: int) -> bytes:
    header = ebml(0x1A45DFA3, ebml(0x4282, b"webm"))
    info = ebml(0x1549A966, ebml(0x2AD7B1, b"\x0f\x42\x40"))
    tracks = ebml(0x1654AE6B, ebml(0xAE, ebml(0xD7, b"\x01") + ebml(0x83, bytes([track_type]))))
    cluster = ebml(0x1F43B675, b"\xe7\x81\x00", unknown_size=True)
    return header + ebml(0x18538067, info + tracks + cluster, unknown_size=True)  # as recorders write it


def found(data: bytes) -> Sniffed | None:
    sniffed = sniff(data[:4096])
    return settle(sniffed, io.BytesIO(data)) if sniffed else None


@pytest.mark.parametrize(
    ("data", "kind", "mime"),
    [
        (image("PNG"), "image", "image/png"),
        (image("JPEG"), "image", "image/jpeg"),
        (image("GIF", mode="P"), "image", "image/gif"),
        (image("WEBP"), "image", "image/webp"),
        (wav(), "voice", "audio/wav"),
        (b"ID3\x04\x00" + b"\x00" * 100, "voice", "audio/mpeg"),
        (b"\xff\xfb\x90\x64" + b"\x00" * 100, "voice", "audio/mpeg"),
        (b"OggS\x00\x02" + b"\x00" * 22 + b"OpusHead\x01\x01", "voice", "audio/ogg"),
        (b"#!AMR\n" + b"\x00" * 32, "voice", "audio/amr"),
        (mp4(b"soun", b"M4A "), "voice", "audio/mp4"),
        (mp4(b"soun"), "voice", "audio/mp4"),
        (mp4(b"vide"), "video", "video/mp4"),
        (webm(2), "voice", "audio/webm"),
        (webm(1), "video", "video/webm"),
        (PDF, "file", "application/pdf"),
        (office("word"), "file", DOCX),
        (office("xl"), "file", XLSX),
        ("周六上午10点可以洗澡吗?\nprice list\n".encode(), "file", "text/plain"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_the_content_tells_the_kind(data: bytes, kind: str, mime: str) -> None:
    assert found(data) == Sniffed(kind, mime)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00" + b"\x00" * 200,  # a Windows program
        b"\x00\x01\x02\x03garbage",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>\x00",
        box(b"ftyp", b"heic\x00\x00\x00\x00heic"),
    ],
)
def test_unknown_content_is_not_taken(data: bytes) -> None:
    assert sniff(data) is None


def test_a_plain_zip_or_binary_posing_as_text_is_refused_once_read_whole() -> None:
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as z:
        z.writestr("program.exe", "MZ")
    with pytest.raises(ApiError) as refused:
        found(plain_zip.getvalue())
    assert refused.value.status == 415
    with pytest.raises(ApiError) as refused:
        found(b"plain text at first " * 300 + b"\x00\x01 then binary")
    assert refused.value.code == "unsupported_media_type"


def test_text_cut_inside_a_character_at_a_chunk_edge_is_still_text() -> None:
    text = ("汪" * 30_000).encode()  # 90 000 bytes: chunk edges fall inside characters
    assert found(text) == Sniffed("file", "text/plain")


def test_a_png_that_is_really_text_is_a_mismatch() -> None:
    fake = b"this is not a picture\n"
    sniffed = found(fake)
    assert sniffed == Sniffed("file", "text/plain")
    for declared, name in (("image/png", "photo.png"), ("application/octet-stream", "photo.png")):
        with pytest.raises(ApiError) as refused:
            RULES.check_type(sniffed, declared, name)
        assert (refused.value.status, refused.value.code) == (415, "unsupported_media_type")
    RULES.check_type(sniffed, "text/plain", "notes.txt")


def test_a_label_of_the_same_kind_is_fine_and_an_unaccepted_type_is_refused() -> None:
    RULES.check_type(Sniffed("image", "image/png"), "image/jpeg", "IMG_0001.JPG")
    RULES.check_type(Sniffed("image", "image/png"), "application/octet-stream", "blob")
    with pytest.raises(ApiError):
        RULES.check_type(Sniffed("voice", "audio/amr"), "audio/amr", "note.amr")


def test_each_kind_has_its_own_size_limit() -> None:
    RULES.check_size("voice", 5 * MiB)
    with pytest.raises(ApiError) as refused:
        RULES.check_size("voice", 5 * MiB + 1)
    assert (refused.value.status, refused.value.code) == (413, "attachment_too_large")
    RULES.check_size("video", 50 * MiB)


def test_an_image_gets_its_size_and_a_small_jpeg_thumbnail() -> None:
    data = image("PNG", (1200, 800), mode="RGBA")
    details = describe(Sniffed("image", "image/png"), io.BytesIO(data), 50_000_000)
    assert (details.width, details.height) == (1200, 800)
    assert details.thumbnail is not None
    with Image.open(io.BytesIO(details.thumbnail)) as thumbnail:
        assert thumbnail.format == "JPEG"
        assert thumbnail.size == (320, 213)


def test_a_photo_taken_sideways_reports_its_upright_size() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° to display
    data = image("JPEG", (800, 600), exif=exif)
    details = describe(Sniffed("image", "image/jpeg"), io.BytesIO(data), 50_000_000)
    assert (details.width, details.height) == (600, 800)
    assert details.thumbnail is not None
    with Image.open(io.BytesIO(details.thumbnail)) as thumbnail:
        assert thumbnail.size == (240, 320)


def test_too_many_pixels_is_too_large() -> None:
    with pytest.raises(ApiError) as refused:
        describe(Sniffed("image", "image/png"), io.BytesIO(image("PNG", (2000, 2000))), 1_000_000)
    assert refused.value.status == 413


def test_a_broken_image_is_refused() -> None:
    data = image("PNG")[:100]
    with pytest.raises(ApiError) as refused:
        describe(Sniffed("image", "image/png"), io.BytesIO(data), 50_000_000)
    assert refused.value.status == 415


def test_a_recording_gets_its_duration() -> None:
    details = describe(Sniffed("voice", "audio/wav"), io.BytesIO(wav(1.5)), 0)
    assert details.duration_ms == 1500
    assert details.thumbnail is None


def form(
    data: bytes, name: str = "photo.png", content_type: str = "image/png"
) -> tuple[dict[str, str], bytes]:
    request = httpx.Request("POST", "http://gateway/", files={"file": (name, data, content_type)})
    return dict(request.headers), request.read()


class Body:
    """A request body arriving in chunks; counts how much was read."""

    def __init__(self, data: bytes, chunk: int = 64 * 1024) -> None:
        self.data, self.chunk, self.read = data, chunk, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.read < len(self.data):
            piece = self.data[self.read : self.read + self.chunk]
            self.read += len(piece)
            yield piece


async def test_an_upload_streams_into_a_file_with_its_type_from_the_content() -> None:
    data = image("PNG")
    headers, raw = form(data, "路路.png", "application/octet-stream")
    async with receive(headers, Body(raw, 1000).__aiter__(), RULES) as upload:
        assert upload.file.read() == data
        assert (upload.size, upload.name, upload.found.mime) == (len(data), "路路.png", "image/png")


async def test_reading_stops_as_soon_as_the_file_is_over_its_kinds_limit() -> None:
    rules = Rules(max_bytes={**RULES.max_bytes, "image": 100_000}, allowed_types=RULES.allowed_types)
    headers, raw = form(image("PNG")[:64] + b"\x00" * 5 * MiB)
    headers.pop("content-length")  # as with a chunked upload: only the stream tells
    body = Body(raw)
    with pytest.raises(ApiError) as refused:
        async with receive(headers, body.__aiter__(), rules):
            pass
    assert (refused.value.status, refused.value.code) == (413, "attachment_too_large")
    assert body.read < 200_000


async def test_a_declared_length_beyond_every_limit_is_refused_before_reading() -> None:
    headers, raw = form(b"\x00" * 100)
    headers["content-length"] = str(60 * MiB)
    body = Body(raw)
    with pytest.raises(ApiError) as refused:
        async with receive(headers, body.__aiter__(), RULES):
            pass
    assert refused.value.status == 413 and body.read == 0


async def test_unknown_content_is_refused_after_its_first_bytes() -> None:
    headers, raw = form(b"MZ\x90\x00" + b"\x00" * 3 * MiB, "setup.exe", "application/octet-stream")
    body = Body(raw)
    with pytest.raises(ApiError) as refused:
        async with receive(headers, body.__aiter__(), RULES):
            pass
    assert refused.value.status == 415 and body.read < 100_000


async def test_a_form_without_the_file_field_is_an_invalid_request() -> None:
    request = httpx.Request("POST", "http://gateway/", data={"note": "hi"}, files={"other": ("a.txt", b"x")})
    with pytest.raises(ApiError) as refused:
        async with receive(dict(request.headers), Body(request.read()).__aiter__(), RULES):
            pass
    assert (refused.value.status, refused.value.code) == (422, "invalid_request")


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("C:\\Users\\wang\\Desktop\\狗狗.jpg", "狗狗.jpg"),
        ("../../etc/passwd", "passwd"),
        ("bad\x00name\r\n.txt", "badname.txt"),
        ("", "attachment"),
        ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
    ],
)
def test_file_names_are_cleaned(given: str, kept: str) -> None:
    assert clean_name(given) == kept
