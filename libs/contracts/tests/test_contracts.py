import json
from pathlib import Path

import pytest
from frontdesk_contracts import Envelope, all_contracts, contract_type
from frontdesk_contracts.asyncapi import document
from frontdesk_contracts.snapshots import SNAPSHOT_DIR, incompatibilities, snapshot_path

DOCS = Path(__file__).resolve().parents[3] / "docs"


@pytest.mark.parametrize("entry", all_contracts(), ids=lambda c: c.name)
def test_every_contract_is_compatible_with_its_committed_snapshot(entry):
    path = snapshot_path(entry.name)
    assert path.exists(), f"no snapshot for {entry.name}: run python -m frontdesk_contracts.snapshots"
    assert incompatibilities(json.loads(path.read_text()), entry.json_schema()) == []


def test_no_snapshot_outlives_its_contract():
    registered = {c.name for c in all_contracts()}
    orphaned = {p.stem for p in SNAPSHOT_DIR.glob("*.json")} - registered
    assert orphaned == set(), "a published type may never disappear"


def _schema(properties, required):
    return {"properties": properties, "required": required}


def test_adding_an_optional_field_is_compatible():
    old = _schema({"a": {"type": "string"}}, ["a"])
    new = _schema({"a": {"type": "string"}, "b": {"type": "integer", "default": 0}}, ["a"])
    assert incompatibilities(old, new) == []


@pytest.mark.parametrize(
    ("new", "problem"),
    [
        (_schema({}, []), "field 'a' was removed"),
        (_schema({"a": {"type": "integer"}}, ["a"]), "field 'a' changed its schema"),
        (
            _schema({"a": {"type": "string"}, "b": {"type": "string"}}, ["a", "b"]),
            "field 'b' became required",
        ),
    ],
)
def test_breaking_changes_are_refused(new, problem):
    old = _schema({"a": {"type": "string"}}, ["a"])
    assert problem in incompatibilities(old, new)


def test_payload_from_a_newer_producer_keeps_unknown_fields():
    sent = contract_type("messaging.message.sent.v1")
    payload = {
        "conversation_id": "6f1c1b1e-8a7b-4a56-9f0e-5a0c3a1c2b11",
        "shop_id": "6f1c1b1e-8a7b-4a56-9f0e-5a0c3a1c2b12",
        "customer_id": "6f1c1b1e-8a7b-4a56-9f0e-5a0c3a1c2b13",
        "message_id": "6f1c1b1e-8a7b-4a56-9f0e-5a0c3a1c2b14",
        "seq": 3,
        "sender_id": "6f1c1b1e-8a7b-4a56-9f0e-5a0c3a1c2b13",
        "sender_role": "customer",
        "client_msg_id": "c-1",
        "text": "我想预约周六上午10点给金毛洗澡",
        "sent_at": "2026-11-21T02:00:00Z",
        "added_later": {"x": 1},
    }
    parsed = sent.parse(payload)
    assert parsed.seq == 3
    assert parsed.model_dump()["added_later"] == {"x": 1}


def test_caused_envelope_keeps_tenant_correlation_and_trace():
    command = Envelope(
        type="messaging.message.send.v1",
        source="frontdesk.gateway",
        aggregate_id="c",
        tenant_id="6f1c1b1e-8a7b-4a56-9f0e-5a0c3a1c2b12",
        traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    )
    event = command.caused(
        type="messaging.message.sent.v1", source="frontdesk.messaging", aggregate_id="c", aggregate_version=2
    )
    assert (event.correlation_id, event.causation_id) == (command.correlation_id, command.id)
    assert (event.tenant_id, event.traceparent) == (command.tenant_id, command.traceparent)


def test_committed_asyncapi_document_lists_every_topic_and_type():
    committed = json.loads((DOCS / "asyncapi.json").read_text())
    assert committed == json.loads(json.dumps(document())), (
        "docs/asyncapi.json is stale: python -m frontdesk_contracts.asyncapi > docs/asyncapi.json"
    )


V2_BOOKING_TYPES = [c for c in all_contracts() if c.name.startswith("booking.") and c.name.endswith(".v2")]


@pytest.mark.parametrize("v2", V2_BOOKING_TYPES, ids=lambda c: c.name)
def test_a_v2_booking_type_is_its_v1_type_with_nullable_staff(v2):
    v1 = contract_type(v2.name.removesuffix(".v2") + ".v1")
    old, new = v1.json_schema(), v2.json_schema()
    assert list(old["properties"]) == list(new["properties"])
    assert set(new.get("required", [])) == set(old.get("required", [])) - {"staff_id", "previous_staff_id"}
    changed = {f for f, _ in _field_problems(old, new)}
    assert changed <= {"staff_id", "previous_staff_id", "proposed", "alternatives"}
    assert v2.topic == v1.topic and v2.kind == v1.kind
    assert v2.summary.startswith(v1.summary)


def _field_problems(old, new):
    from frontdesk_contracts.snapshots import _resolved

    for field, schema in old["properties"].items():
        if _resolved(schema, old) != _resolved(new["properties"][field], new):
            yield field, schema


def test_staffless_bookings_are_v2_and_v1_still_requires_a_staff_member():
    from frontdesk_contracts import booking, booking_v2

    booking_id = "6f1c1b1e-8a7b-4a56-9f0e-5a0c3a1c2b11"
    data = {
        "booking_id": booking_id,
        "shop_id": booking_id,
        "customer_id": booking_id,
        "service_id": booking_id,
        "status": "held",
        "starts_at": "2026-05-01T13:00:00Z",
        "ends_at": "2026-05-04T09:00:00Z",
        "at": "2026-04-01T00:00:00Z",
        "nights": 3,
        "price_cents": 45000,
    }
    with pytest.raises(ValueError, match="staff_id"):
        booking.BookingHeld.model_validate(data)
    held = booking_v2.without_staff(booking.BookingHeld).model_validate(data)
    assert held.model_dump()["staff_id"] is None and held.model_dump()["nights"] == 3
    assert contract_type("booking.booking.held.v2").model is booking_v2.without_staff(booking.BookingHeld)


V3_BOOKING_TYPES = [c for c in all_contracts() if c.name.startswith("booking.") and c.name.endswith(".v3")]


@pytest.mark.parametrize("v3", V3_BOOKING_TYPES, ids=lambda c: c.name)
def test_a_v3_booking_type_is_its_v2_type_with_the_services_it_books(v3):
    v2 = contract_type(v3.name.removesuffix(".v3") + ".v2")
    old, new = v2.json_schema(), v3.json_schema()
    assert list(new["properties"]) == [*old["properties"], "services"]
    assert set(new["required"]) == {*old.get("required", []), "services"}
    assert not list(_field_problems(old, new))
    assert v3.topic == v2.topic and v3.kind == v2.kind


def test_a_staff_note_is_not_a_booking_event_a_customer_would_be_sent():
    note = contract_type("booking.staff_note.added.v1")
    assert not note.name.startswith("booking.booking.")
    assert "customer_id" not in note.json_schema()["properties"]
