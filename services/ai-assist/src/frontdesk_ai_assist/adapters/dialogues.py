"""A `Dialogue` as stored between messages (JSON), and back.

Services are stored by id and pets by what was said, and resolved again against the
shop and the customer's pets as they are when the next message comes: a service the
shop no longer offers, or a pet since removed, is simply forgotten.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from ..domain import Dialogue, Pet, PetMention, ServiceOffer, ShopContext, SlotOption, Wanted, When


def dump(dialogue: Dialogue) -> dict[str, Any]:
    state: dict[str, Any] = {}
    if dialogue.wanted is not None:
        wanted = dialogue.wanted
        state["wanted"] = {
            "purpose": wanted.purpose,
            "service_id": wanted.service.id if wanted.service else None,
            "rival_id": wanted.rival.id if wanted.rival else None,
            "pet": _pet(wanted.pet),
            "when": _when(wanted.when),
        }
    if dialogue.proposed:
        state["proposed"] = [{"start": o.start.isoformat(), "ref": o.ref} for o in dialogue.proposed]
    return state


def load(state: dict[str, Any], shop: ShopContext, pets: Sequence[Pet]) -> Dialogue:
    wanted = None
    raw = state.get("wanted")
    if raw:
        service = _service_back(raw.get("service_id"), shop)
        pet, when = _pet_back(raw.get("pet"), pets), _when_back(raw.get("when"))
        wanted = Wanted(raw["purpose"], service, pet, when, _service_back(raw.get("rival_id"), shop))
    proposed = tuple(
        SlotOption(datetime.fromisoformat(o["start"]), o.get("ref", "")) for o in state.get("proposed", ())
    )
    return Dialogue(wanted, proposed)


def _service_back(service_id: str | None, shop: ShopContext) -> ServiceOffer | None:
    return shop.service(service_id) if service_id else None


def _pet(pet: PetMention | None) -> dict[str, Any] | None:
    if pet is None:
        return None
    return {
        "species": pet.species,
        "breed": pet.breed,
        "said": pet.said,
        "pet_id": pet.known.id if pet.known else None,
    }


def _pet_back(raw: dict[str, Any] | None, pets: Sequence[Pet]) -> PetMention | None:
    if not raw:
        return None
    known = next((p for p in pets if p.id == raw.get("pet_id")), None)
    return PetMention(raw.get("species"), raw.get("breed"), known, raw.get("said", ""))


def _when(when: When | None) -> dict[str, Any] | None:
    if when is None:
        return None
    return {
        "date": when.date.isoformat(),
        "time": when.time.isoformat() if when.time else None,
        "part": when.part,
    }


def _when_back(raw: dict[str, Any] | None) -> When | None:
    if not raw:
        return None
    at = time.fromisoformat(raw["time"]) if raw.get("time") else None
    return When(date.fromisoformat(raw["date"]), at, raw.get("part"))
