"""What PostgreSQL could never store is a 422 with a code naming the field, from any API."""

import re
from datetime import datetime
from typing import Annotated

import pytest
from fastapi import FastAPI, Query
from fastapi.testclient import TestClient
from frontdesk_platform.errors import install_error_handlers
from frontdesk_platform.storable import Int32, StoredBody, StoredDatetime, StoredText
from pydantic import ConfigDict, Field, ValidationError


class Label(StoredBody):
    model_config = ConfigDict(extra="allow")
    name: str = Field(max_length=50)


class Note(StoredBody):
    text: str
    labels: list[Label] = Field(default_factory=list)
    due: datetime | None = None


def client() -> TestClient:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/notes")
    async def add(note: Note) -> dict[str, str]:
        return {"text": note.text}

    @app.get("/history")
    async def history(
        after_seq: Annotated[Int32, Query(ge=0)] = 0,
        q: StoredText = "",
        since: StoredDatetime | None = None,
    ) -> dict[str, int]:
        return {"after_seq": after_seq}

    return TestClient(app)


def error(response) -> tuple[int, str, str]:
    body = response.json()["error"]
    return response.status_code, body["code"], body["message"]


def post(body: str):
    return client().post("/notes", content=body, headers={"content-type": "application/json"})


def test_text_with_nul_or_a_lone_surrogate_anywhere_in_a_body_is_invalid_text() -> None:
    assert error(post('{"text": "a\\u0000b"}')) == (
        422,
        "invalid_text",
        "text: contains U+0000 (NUL), which cannot be stored",
    )
    assert error(post('{"text": "ok", "labels": [{"name": "vip"}, {"name": "\\ud800"}]}'))[:2] == (
        422,
        "invalid_text",
    )
    assert error(post('{"text": "ok", "labels": [{"name": "a", "more": {"k": "\\u0000"}}]}'))[2] == (
        "labels.0.more.k: contains U+0000 (NUL), which cannot be stored"
    )
    assert post('{"text": "好的 🐶"}').status_code == 200


def test_integers_past_their_column_and_times_without_a_zone_have_their_own_codes() -> None:
    assert error(post('{"text": "ok", "labels": [{"name": "a", "n": 99999999999999999999}]}'))[:2] == (
        422,
        "out_of_range",
    )
    assert error(post('{"text": "ok", "due": "2030-01-01T09:00:00"}'))[:2] == (422, "invalid_time")
    assert error(post('{"text": "ok", "due": "9999-01-01T09:00:00Z"}'))[:2] == (422, "out_of_range")
    api = client()
    assert error(api.get("/history", params={"after_seq": 2**31})) == (
        422,
        "out_of_range",
        "after_seq: must be from -2147483648 to 2147483647",
    )
    assert error(api.get("/history", params={"after_seq": -1}))[:2] == (422, "invalid_request")
    assert error(api.get("/history", params={"q": "\x00"}))[:2] == (422, "invalid_text")
    assert error(api.get("/history", params={"since": "2030-01-01T09:00:00"}))[:2] == (422, "invalid_time")
    assert api.get(
        "/history", params={"after_seq": 2**31 - 1, "since": "2030-01-01T09:00:00+08:00"}
    ).json() == {"after_seq": 2**31 - 1}


def test_a_storable_body_is_checked_without_naming_every_field(monkeypatch):
    """Every socket frame is checked: the paths that name a field are made only for an error."""
    from frontdesk_platform import storable

    def no_paths(value, path):
        raise AssertionError("paths made for a body with nothing wrong")

    note = {"text": "旺财", "labels": [{"name": "vip", "colour": "red"}], "due": "2030-05-01T09:00:00Z"}
    monkeypatch.setattr(storable, "_leaves", no_paths)
    assert Note.model_validate(note).labels[0].model_extra == {"colour": "red"}
    monkeypatch.undo()
    with pytest.raises(ValidationError, match=re.escape("text: contains U+0000")):
        Note.model_validate({**note, "text": "a\x00"})
    with pytest.raises(ValidationError, match=re.escape("colour: contains U+0000")):
        Note.model_validate({**note, "labels": [{"name": "v", "colour": "\x00"}]})
