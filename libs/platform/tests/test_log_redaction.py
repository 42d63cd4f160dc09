"""Credentials in logged URLs and bare JWTs are cut from every log line, whoever logs them."""

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from frontdesk_platform.observability import configure_logging

JWT = "eyJhbGciOiJFZERTQSIsImtpZCI6ImsxIn0.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"


@contextmanager
def json_logging() -> Iterator[None]:
    """The services' logging set-up, on pytest's captured stderr, undone afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging("test", "INFO", as_json=True)
    try:
        yield
    finally:
        root.handlers[:], root.level = handlers, level


def read(capsys) -> list[dict[str, str]]:
    return [json.loads(line) for line in capsys.readouterr().err.splitlines()]


def test_uvicorn_socket_and_access_lines_lose_their_tokens(capsys):
    with json_logging():
        log_uvicorn_lines()
    first, second = (entry["message"] for entry in read(capsys))
    assert first == '127.0.0.1:5000 - "WebSocket /v1/ws?access_token=[redacted]" [accepted]'
    assert second == (
        '127.0.0.1:5000 - "GET /v1/files/1?X-Amz-Signature=[redacted]&X-Amz-Credential=[redacted]'
        '&size=2&refresh_token=[redacted] HTTP/1.1" 200'
    )


def log_uvicorn_lines() -> None:
    """What uvicorn logs for a socket and a request (uvicorn/protocols/*)."""
    logging.getLogger("uvicorn.error").info(
        '%s - "WebSocket %s" [accepted]', "127.0.0.1:5000", f"/v1/ws?access_token={JWT}"
    )
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d',
        "127.0.0.1:5000",
        "GET",
        "/v1/files/1?X-Amz-Signature=abc123&X-Amz-Credential=AKIA%2F1&size=2&refresh_token=r1",
        "1.1",
        200,
    )


def test_a_bare_jwt_in_a_message_or_an_exception_is_cut(capsys):
    with json_logging():
        try:
            raise ValueError(f"could not verify {JWT}")
        except ValueError:
            logging.getLogger("frontdesk").exception("token %s refused", JWT)
    (entry,) = read(capsys)
    assert JWT not in json.dumps(entry)
    assert entry["message"] == "token [redacted] refused"
    assert "could not verify [redacted]" in entry["exception"]
