"""Read models of shops' settings, their staff's availability, and response figures."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from ..domain import shop as s
from .sql import rows as _rows
from .sql import run as _run

TABLES = ("templates", "shop_hours", "staff_capacity", "shop_calls")


async def project(session: AsyncSession, event: s.ShopEvent) -> None:
    match event:
        case s.BusinessHoursSet():
            await _run(
                session,
                "INSERT INTO shop_hours (shop_id, timezone, weekly, auto_reply_text) "
                "VALUES (:shop, :tz, CAST(:weekly AS jsonb), :reply) ON CONFLICT (shop_id) DO UPDATE SET "
                "timezone = EXCLUDED.timezone, weekly = EXCLUDED.weekly, auto_reply_text = EXCLUDED.auto_reply_text",
                row=("shop", event.shop_id),
                shop=event.shop_id,
                tz=event.timezone,
                weekly=json.dumps(event.weekly),
                reply=event.auto_reply_text,
            )
        case s.TemplateSaved():
            await _run(
                session,
                "INSERT INTO templates (template_id, shop_id, name, text, saved_at) VALUES (:t, :shop, :n, :x, :at) "
                "ON CONFLICT (shop_id, template_id) DO UPDATE SET name = EXCLUDED.name, text = EXCLUDED.text, "
                "saved_at = EXCLUDED.saved_at",
                row=("shop", event.shop_id),
                t=event.template_id,
                shop=event.shop_id,
                n=event.name,
                x=event.text,
                at=event.saved_at,
            )
        case s.TemplateDeleted():
            await _run(
                session,
                "DELETE FROM templates WHERE shop_id = :shop AND template_id = :t",
                row=("shop", event.shop_id),
                shop=event.shop_id,
                t=event.template_id,
            )
        case s.CallsSet():
            await _run(
                session,
                "INSERT INTO shop_calls (shop_id, policy, live_view_minutes) VALUES (:shop, :p, :m) "
                "ON CONFLICT (shop_id) DO UPDATE SET policy = EXCLUDED.policy, "
                "live_view_minutes = EXCLUDED.live_view_minutes",
                row=("shop", event.shop_id),
                shop=event.shop_id,
                p=event.policy,
                m=event.live_view_minutes,
            )
        case s.StaffCapacitySet():
            await _run(
                session,
                "INSERT INTO staff_capacity (staff_id, shop_id, capacity) VALUES (:st, :shop, :c) "
                "ON CONFLICT (shop_id, staff_id) DO UPDATE SET capacity = EXCLUDED.capacity",
                row=("shop", event.shop_id),
                st=event.staff_id,
                shop=event.shop_id,
                c=event.capacity,
            )


async def templates(session: AsyncSession, shop_id: UUID) -> list[dict[str, Any]]:
    return await _rows(
        session,
        "SELECT template_id, name, text, saved_at FROM templates WHERE shop_id = :s ORDER BY name",
        s=shop_id,
    )


async def hours(session: AsyncSession, shop_id: UUID) -> dict[str, Any] | None:
    rows = await _rows(
        session, "SELECT timezone, weekly, auto_reply_text FROM shop_hours WHERE shop_id = :s", s=shop_id
    )
    return rows[0] if rows else None


async def calls(session: AsyncSession, shop_id: UUID) -> dict[str, Any]:
    """The shop's call policy; a shop that never set one takes calls at any time."""
    rows = await _rows(
        session, "SELECT policy, live_view_minutes FROM shop_calls WHERE shop_id = :s", s=shop_id
    )
    return rows[0] if rows else {"policy": "always", "live_view_minutes": 30}


async def next_in_rotation(session: AsyncSession, shop_id: UUID, default_capacity: int) -> UUID | None:
    """The online staff member with room who was given a conversation longest ago."""
    rows = await _rows(
        session,
        """
        SELECT p.user_id FROM people p
        JOIN staff_presence sp ON sp.staff_id = p.user_id AND sp.status = 'online'
        LEFT JOIN staff_capacity sc ON sc.shop_id = p.shop_id AND sc.staff_id = p.user_id
        WHERE p.shop_id = :shop AND p.role IN ('owner', 'staff')
          AND (SELECT count(*) FROM conversations c WHERE c.assignee_id = p.user_id AND c.status <> 'resolved')
              < COALESCE(sc.capacity, :default)
        ORDER BY sp.last_assigned_at NULLS FIRST, p.user_id
        LIMIT 1
        """,
        shop=shop_id,
        default=default_capacity,
    )
    return rows[0]["user_id"] if rows else None


async def next_for_handoff(session: AsyncSession, shop_id: UUID, default_capacity: int) -> UUID | None:
    """Who takes a conversation the assistant hands off: like the round-robin, but when
    nobody online has room, an online one, then anyone with room, then anyone."""
    rows = await _rows(
        session,
        """
        SELECT p.user_id FROM people p
        LEFT JOIN staff_presence sp ON sp.staff_id = p.user_id
        LEFT JOIN staff_capacity sc ON sc.shop_id = p.shop_id AND sc.staff_id = p.user_id
        WHERE p.shop_id = :shop AND p.role IN ('owner', 'staff')
        ORDER BY
          (COALESCE(sp.status, 'offline') = 'online'
           AND (SELECT count(*) FROM conversations c WHERE c.assignee_id = p.user_id AND c.status <> 'resolved')
               < COALESCE(sc.capacity, :default)) DESC,
          COALESCE(sp.status, 'offline') = 'online' DESC,
          (SELECT count(*) FROM conversations c WHERE c.assignee_id = p.user_id AND c.status <> 'resolved')
              < COALESCE(sc.capacity, :default) DESC,
          sp.last_assigned_at NULLS FIRST, p.user_id
        LIMIT 1
        """,
        shop=shop_id,
        default=default_capacity,
    )
    return rows[0]["user_id"] if rows else None


async def note_assigned(session: AsyncSession, staff_id: UUID, at: Any) -> None:
    await _run(
        session,
        "INSERT INTO staff_presence (staff_id, status, last_assigned_at) VALUES (:s, 'offline', :at) "
        "ON CONFLICT (staff_id) DO UPDATE SET last_assigned_at = EXCLUDED.last_assigned_at",
        row=("staff", staff_id),
        s=staff_id,
        at=at,
    )
