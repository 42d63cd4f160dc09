"""Receiving one file from a multipart/form-data body, as it streams in.

The first bytes tell the type, the type tells the limit, and reading stops as soon as
the file is over it: at most the limit (1 MiB in memory, the rest in a temporary
file) is ever held, whatever the client sends.
"""

from __future__ import annotations

import asyncio
import tempfile
import unicodedata
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from frontdesk_platform.errors import ApiError
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from .content import HEAD_BYTES, Rules, Sniffed, sniff, unsupported

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

FIELD = "file"
SPOOL_BYTES = 1024 * 1024
FORM_OVERHEAD = 64 * 1024  # boundaries, part headers and small fields around the file
MAX_NAME = 200


@dataclass(frozen=True)
class Upload:
    file: IO[bytes]
    size: int
    name: str
    declared_type: str
    found: Sniffed


def invalid(message: str) -> ApiError:
    return ApiError(422, "invalid_request", message)


@asynccontextmanager
async def receive(
    headers: Mapping[str, str], body: AsyncIterator[bytes], rules: Rules
) -> AsyncIterator[Upload]:
    """The uploaded file, readable from the start; it is deleted when the block ends."""
    mime, options = parse_options_header(headers.get("content-type", ""))
    if mime != b"multipart/form-data" or b"boundary" not in options:
        raise invalid(f"Send the file as multipart/form-data in a field named {FIELD!r}.")
    declared_length = headers.get("content-length", "")
    if declared_length.isdigit() and int(declared_length) > largest_form(rules):
        raise _beyond_every_limit(rules)
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        form = _Form(rules, spool)
        parser = MultipartParser(options[b"boundary"], form.callbacks())
        try:
            async for chunk in body:
                parser.write(chunk)
                await form.take()
            parser.finalize()
        except FormParserError:
            raise invalid("The multipart body is malformed.") from None
        await form.take()
        yield form.upload()


def largest_form(rules: Rules) -> int:
    """The largest body an upload can be: the largest file a kind allows, and its form."""
    return rules.largest + FORM_OVERHEAD


def _beyond_every_limit(rules: Rules) -> ApiError:
    """A declared length no kind of attachment may have: refused before reading."""
    return ApiError(
        413,
        "attachment_too_large",
        f"No attachment is larger than {rules.largest} bytes.",
        {"max_bytes": rules.largest},
    )


class _Form:
    """Multipart parser callbacks (synchronous) collect; take() checks and writes."""

    def __init__(self, rules: Rules, spool: IO[bytes]) -> None:
        self._rules = rules
        self._spool = spool
        self._header_name = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._in_file = False
        self._file_ended = False
        self._other_bytes = 0
        self._pending: list[bytes] = []
        self._head = bytearray()
        self._size = 0
        self._found: Sniffed | None = None
        self._name = ""
        self._declared = ""

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value_part,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }

    def _part_begin(self) -> None:
        self._headers = {}

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_value_part(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._header_name.lower()] = self._header_value
        self._header_name, self._header_value = b"", b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        is_file = options.get(b"name") == FIELD.encode() and b"filename" in options
        self._in_file = is_file and not self._file_ended
        if self._in_file:
            self._name = clean_name(options[b"filename"].decode("utf-8", "replace"))
            self._declared = self._headers.get(b"content-type", b"").decode("latin-1")

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file:
            self._pending.append(data[start:end])
        else:
            self._other_bytes += end - start

    def _part_end(self) -> None:
        if self._in_file:
            self._in_file, self._file_ended = False, True

    async def take(self) -> None:
        """Check what arrived since the last call, then write it out."""
        if self._other_bytes > FORM_OVERHEAD:
            raise invalid(f"Send only the file (field {FIELD!r}) and nothing big besides.")
        data = b"".join(self._pending)
        self._pending.clear()
        self._size += len(data)
        if self._found is None:
            self._head += data[: HEAD_BYTES - len(self._head)]
            if len(self._head) >= HEAD_BYTES or self._file_ended:
                self._found = self._sniff()
        if self._found is not None:
            self._rules.check_size(self._found.kind, self._size)
        if data:
            await asyncio.to_thread(self._spool.write, data)

    def _sniff(self) -> Sniffed:
        if not self._head:
            raise unsupported("The file is empty.")
        found = sniff(bytes(self._head))
        if found is None:
            raise unsupported("This kind of file is not accepted.")
        return found

    def upload(self) -> Upload:
        if not self._file_ended or self._found is None:
            raise invalid(f"The form has no file in a field named {FIELD!r}.")
        self._spool.seek(0)
        return Upload(self._spool, self._size, self._name, self._declared, self._found)


def clean_name(name: str) -> str:
    """The last path segment, without control characters, at most MAX_NAME characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    printable = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    if printable in ("", ".", ".."):
        return "attachment"
    if len(printable) <= MAX_NAME:
        return printable
    stem, dot, suffix = printable.rpartition(".")
    if dot and 0 < len(suffix) <= 10:
        return stem[: MAX_NAME - len(suffix) - 1] + "." + suffix
    return printable[:MAX_NAME]
