"""Request and response bodies of the public API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

Login = Field(min_length=3, max_length=120, description="An email address or phone number.")
Password = Field(min_length=1, max_length=200)
Name = Field(min_length=1, max_length=100)


class ErrorDetail(BaseModel):
    code: str = Field(examples=["conversation_not_found"])
    message: str
    details: Any | None = None


class ErrorResponse(BaseModel):
    error: ErrorDetail


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse} for status in (400, 401, 403, 404, 409, 413, 422, 429, 503)
}


class Credentials(BaseModel):
    login: str = Login
    name: str = Name
    password: str = Password


class RegisterShop(BaseModel):
    name: str = Name
    timezone: str = Field(default="Asia/Shanghai", examples=["Asia/Shanghai", "Europe/Berlin"])
    owner: Credentials


class SignIn(BaseModel):
    shop_id: UUID
    login: str = Login
    password: str = Password


class Refresh(BaseModel):
    refresh_token: str = Field(min_length=10, max_length=200)


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime
    refresh_token: str
    user_id: UUID
    shop_id: UUID
    role: Literal["owner", "staff", "customer"]


class StaffCreated(BaseModel):
    staff_id: UUID


class OpenConversation(BaseModel):
    customer_id: UUID | None = Field(
        default=None, description="Staff: the customer to talk to. Customers leave it out."
    )


class Conversation(BaseModel):
    id: UUID
    shop_id: UUID
    customer_id: UUID
    opened_at: datetime
    last_seq: int
    last_activity_at: datetime
    last_message_preview: str | None


class SendMessage(BaseModel):
    client_msg_id: str = Field(
        min_length=1,
        max_length=64,
        description="Chosen by the client; sending again with the same id never makes a second message.",
    )
    text: str = Field(min_length=1)


class Message(BaseModel):
    conversation_id: UUID
    seq: int
    message_id: UUID
    sender_id: UUID
    sender_role: Literal["owner", "staff", "customer"]
    client_msg_id: str
    kind: str
    text: str
    sent_at: datetime


class MessageAccepted(BaseModel):
    status: Literal["stored", "pending"]
    conversation_id: UUID
    client_msg_id: str
    message_id: UUID | None = None
    seq: int | None = None
    duplicate: bool = False


class MessagePage(BaseModel):
    messages: list[Message]
    last_seq: int = Field(description="The conversation's newest seq.")
