"""GET /v1/search: messages the caller may see that hold every word of a query,
Chinese or English, newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request
from frontdesk_platform.errors import ApiError
from frontdesk_platform.storable import StoredText
from pydantic import BaseModel, Field

from ..search import MessageSearch
from .auth import Caller
from .schemas import ERRORS

router = APIRouter(prefix="/v1", responses=ERRORS)

MAX_QUERY_LENGTH = 100


class SnippetPart(BaseModel):
    text: str
    match: bool = Field(description="This stretch is a word of the query.")


class SearchResult(BaseModel):
    conversation_id: UUID
    seq: int
    message_id: UUID
    sender_role: Literal["owner", "staff", "customer"]
    sent_at: datetime
    text: str
    snippet: list[SnippetPart] = Field(
        description="Up to about 120 characters around the first match, in order; "
        "parts with match=true are the words found."
    )


class SearchPage(BaseModel):
    results: list[SearchResult]
    next_before: str | None = Field(description="Pass as `before` for older results; null at the end.")


@router.get(
    "/search",
    response_model=SearchPage,
    tags=["conversations"],
    summary="Search message history (staff: the whole shop; customers: their conversation)",
)
async def search(
    request: Request,
    caller: Caller,
    q: Annotated[StoredText, Query(description="1 to 100 characters; every word must be in a message.")],
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
    before: Annotated[
        StoredText | None, Query(max_length=200, description="next_before of the previous page.")
    ] = None,
) -> SearchPage:
    if not 1 <= len(q) <= MAX_QUERY_LENGTH:
        raise ApiError(422, "invalid_query", f"A search has 1 to {MAX_QUERY_LENGTH} characters.")
    searcher: MessageSearch = request.app.state.search
    return SearchPage(**await searcher.find(caller, q, limit, before))
