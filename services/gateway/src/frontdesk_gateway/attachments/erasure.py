"""Erasing a customer's attachments (docs/adr/0005): every file of their conversation (theirs
and what the shop sent them) and any they uploaded elsewhere, bytes and thumbnails deleted
from storage and rows deleted (their names go with them), so a link to one answers 404.

Carried out from `identity.customer.erased.v1` (tracking record in the same transaction):
objects are deleted before the rows' transaction commits, so a crash in between leaves
rows whose objects are gone (they read as 404) and the redelivered event finishes the work.
"""

from __future__ import annotations

from frontdesk_contracts import identity
from frontdesk_contracts.messaging import conversation_id_for
from frontdesk_platform.pipeline import Pipeline, Route
from frontdesk_platform.unit_of_work import UnitOfWork
from sqlalchemy import text

from .storage import ObjectStorage

CONSUMER = "gateway.erasure"
_THEIRS = (
    "DELETE FROM attachments WHERE shop_id = :s AND (conversation_id = :conversation OR uploader_id = :c) "
    "RETURNING storage_key, thumbnail_key"
)


def events(storage: ObjectStorage) -> Pipeline[UnitOfWork]:
    async def erase(uow: UnitOfWork, erased: identity.CustomerErased) -> None:
        conversation = conversation_id_for(erased.shop_id, erased.customer_id)
        rows = await uow.session.execute(
            text(_THEIRS), {"s": erased.shop_id, "c": erased.customer_id, "conversation": conversation}
        )
        for row in rows.all():
            for key in (row.storage_key, row.thumbnail_key):
                if key:
                    await storage.delete(key)

    route: Route[UnitOfWork] = Route(erase, identity.CustomerErased)
    return Pipeline(
        lambda type_name: route if type_name == "identity.customer.erased.v1" else None,
        lambda uow, event: uow,
    )
