"""A fake OpenAI-compatible chat endpoint: POST /v1/chat/completions answers what it was
told to, and keeps every request it got."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


class FakeChatModel:
    def __init__(self) -> None:
        self.answers: list[tuple[int, str]] = []  # (status, content), in order
        self.requests: list[dict[str, Any]] = []
        self.app = Starlette(routes=[Route("/v1/chat/completions", self._complete, methods=["POST"])])

    def then(self, content: str, status: int = 200) -> None:
        self.answers.append((status, content))

    async def _complete(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.requests.append({"body": body, "authorization": request.headers.get("authorization")})
        status, content = self.answers.pop(0) if self.answers else (200, "")
        if status != 200:
            return JSONResponse({"error": {"message": "overloaded"}}, status_code=status)
        return JSONResponse(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                    }
                ],
            }
        )
