"""Internal search API: messages of one shop, or of one customer's conversation with it,
that hold every word of a query. The gateway passes the caller's scope."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request
from frontdesk_platform.errors import ApiError
from pydantic import BaseModel

from ..projections import search as search_index
from ..projections import search_terms
from .http import _session

router = APIRouter(prefix="/internal", tags=["internal"])

MAX_QUERY_LENGTH = 100
INVALID_CURSOR = ApiError(422, "invalid_cursor", "`before` must be a next_before value from a search.")


class SnippetPart(BaseModel):
    text: str
    match: bool


class SearchResult(BaseModel):
    conversation_id: UUID
    seq: int
    message_id: UUID
    sender_role: Literal["owner", "staff", "customer"]
    sent_at: datetime
    text: str
    snippet: list[SnippetPart]


class SearchPage(BaseModel):
    results: list[SearchResult]
    next_before: str | None


@router.get("/search", response_model=SearchPage)
async def search(
    request: Request,
    shop_id: UUID,
    q: str,
    customer_id: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
    before: str | None = None,
) -> SearchPage:
    terms = parse_query(q)
    async with _session(request) as session:
        rows = await search_index.find(
            session,
            shop_id,
            terms,
            customer_id=customer_id,
            before=decode_cursor(before) if before else None,
            limit=limit + 1,
        )
    page = rows[:limit]
    results = [
        SearchResult(
            **row,
            snippet=[
                SnippetPart(text=p.text, match=p.match) for p in search_terms.snippet(row["text"], terms)
            ],
        )
        for row in page
    ]
    last = page[-1] if len(rows) > limit else None
    return SearchPage(
        results=results,
        next_before=encode_cursor(search_index.Position(last["sent_at"], last["message_id"]))
        if last
        else None,
    )


def parse_query(q: str) -> list[str]:
    if not 1 <= len(q) <= MAX_QUERY_LENGTH:
        raise ApiError(422, "invalid_query", f"A search has 1 to {MAX_QUERY_LENGTH} characters.")
    terms = search_terms.query_terms(q)
    if not terms:
        raise ApiError(422, "invalid_query", "A search needs at least one word, not only punctuation.")
    return terms


def encode_cursor(position: search_index.Position) -> str:
    raw = f"{position.sent_at.isoformat()}|{position.message_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> search_index.Position:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        sent_at, message_id = raw.split("|")
        position = search_index.Position(datetime.fromisoformat(sent_at), UUID(message_id))
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise INVALID_CURSOR from exc
    if position.sent_at.tzinfo is None:
        raise INVALID_CURSOR
    return position
