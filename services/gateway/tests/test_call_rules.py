"""The rules of a call's steps and its TURN credentials: pure, no Redis."""

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from frontdesk_gateway.calls.model import Call, CallRefused, Party
from frontdesk_gateway.calls.turn import ice_servers

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def _call() -> Call:
    return Call(
        call_id=uuid4(),
        shop_id=uuid4(),
        conversation_id=uuid4(),
        customer_id=uuid4(),
        media="video",
        caller=Party(uuid4(), "customer", uuid4()),
        callees=[uuid4(), uuid4()],
        started_at=NOW,
    )


def test_the_first_device_to_accept_wins_and_a_second_is_told_it_was_answered_elsewhere():
    call = _call()
    staff, first, second = call.callees[0], uuid4(), uuid4()
    call.accept(staff, "staff", first, NOW + timedelta(seconds=3))
    with pytest.raises(CallRefused) as refused:
        call.accept(call.callees[1], "staff", second, NOW + timedelta(seconds=4))
    assert refused.value.code == "call_answered_elsewhere"
    assert call.peer_of(first) == call.caller.connection
    assert call.peer_of(call.caller.connection) == first


def test_only_the_two_parties_sockets_exchange_sdp():
    call = _call()
    with pytest.raises(CallRefused):  # nothing is relayed before an answer
        call.peer_of(call.caller.connection)
    call.accept(call.callees[0], "staff", uuid4(), NOW)
    for stranger in (uuid4(), call.callees[1]):
        with pytest.raises(CallRefused) as refused:
            call.peer_of(stranger)
        assert refused.value.code == "call_not_found"


def test_someone_not_called_cannot_accept_or_decline():
    call = _call()
    for step in (lambda: call.accept(uuid4(), "staff", uuid4(), NOW), lambda: call.decline(uuid4(), NOW)):
        with pytest.raises(CallRefused) as refused:
            step()
        assert refused.value.code == "call_not_found"
    assert call.state == "ringing"


def test_a_ringing_call_times_out_as_missed_but_an_answered_one_does_not():
    missed, answered = _call(), _call()
    assert missed.time_out(NOW + timedelta(seconds=30))
    assert (missed.state, missed.outcome, missed.duration_ms) == ("ended", "missed", 0)
    answered.accept(answered.callees[0], "staff", uuid4(), NOW + timedelta(seconds=5))
    assert not answered.time_out(NOW + timedelta(seconds=30))
    assert answered.state == "active"


def test_a_dropped_party_ends_the_call_and_a_ringing_callee_device_does_not():
    call = _call()
    callee_device = uuid4()
    assert not call.dropped(uuid4(), NOW)  # some device that was ringing went away
    call.accept(call.callees[0], "staff", callee_device, NOW + timedelta(seconds=2))
    assert call.dropped(callee_device, NOW + timedelta(seconds=62))
    assert (call.outcome, call.reason, call.duration_ms) == ("completed", "dropped", 60_000)
    assert not call.dropped(call.caller.connection, NOW + timedelta(seconds=63))


def test_hanging_up_before_an_answer_cancels_and_after_it_completes():
    cancelled, completed = _call(), _call()
    cancelled.hang_up(cancelled.caller.connection, NOW)
    assert cancelled.outcome == "cancelled"
    device = uuid4()
    completed.accept(completed.callees[0], "customer", device, NOW)
    completed.hang_up(device, NOW + timedelta(seconds=10))
    assert (completed.outcome, completed.duration_ms) == ("completed", 10_000)
    with pytest.raises(CallRefused) as refused:
        completed.hang_up(device, NOW + timedelta(seconds=11))
    assert refused.value.code == "call_ended"


def test_a_call_survives_its_trip_through_redis():
    call = _call()
    call.accept(call.callees[0], "staff", uuid4(), NOW)
    assert Call.from_json(json.loads(json.dumps(call.to_json(), default=str))) == call


def test_turn_credentials_follow_the_turn_rest_api_and_expire():
    user = uuid4()
    [server] = ice_servers(["turn:127.0.0.1:21300"], "s3cret", user, NOW, 600)
    expiry, name = server["username"].split(":", 1)
    assert (int(expiry), name) == (int(NOW.timestamp()) + 600, str(user))
    expected = hmac.new(b"s3cret", server["username"].encode(), hashlib.sha1).digest()
    assert base64.b64decode(server["credential"]) == expected
    assert ice_servers([], "s3cret", user, NOW, 600) == []  # no TURN configured: none handed out


async def test_a_shops_call_policy_is_remembered_briefly_and_forgotten_when_it_changes():
    from frontdesk_gateway.calls.policy import TTL_SECONDS, CallPolicies
    from frontdesk_gateway.identity.tokens import Principal

    class Messaging:
        reads = 0
        policy = "always"

        async def read_shop(self, caller, path):
            Messaging.reads += 1
            return {"policy": Messaging.policy, "live_view_minutes": 30, "open_now": True}

    now = [0.0]
    policies = CallPolicies(Messaging(), clock=lambda: now[0])  # type: ignore[arg-type]
    caller = Principal(uuid4(), uuid4(), "customer", NOW + timedelta(hours=1))
    assert (await policies.of(caller))["policy"] == "always"
    Messaging.policy = "off"
    assert (await policies.of(caller))["policy"] == "always" and Messaging.reads == 1
    policies.forget(caller.shop_id)  # changed through this instance: seen at once
    assert (await policies.of(caller))["policy"] == "off"
    Messaging.policy = "always"
    now[0] += TTL_SECONDS  # changed through another instance: seen after the TTL
    assert (await policies.of(caller))["policy"] == "always" and Messaging.reads == 3


def test_a_live_view_viewer_who_drops_may_join_again_and_the_limit_ends_it():
    view = _call()
    view.media = "live_view"
    view.callees = [view.customer_id]
    tablet, phone = uuid4(), uuid4()
    view.accept(view.customer_id, "customer", tablet, NOW + timedelta(seconds=5))
    assert view.dropped(tablet, NOW + timedelta(seconds=65)) == "left"
    assert (view.state, view.answered_by) == ("ringing", None)
    view.accept(view.customer_id, "customer", phone, NOW + timedelta(seconds=70))
    assert view.peer_of(phone) == view.caller.connection
    assert view.run_out(NOW + timedelta(minutes=30))
    assert (view.outcome, view.reason) == ("completed", "limit")
    assert view.duration_ms == (timedelta(minutes=30) - timedelta(seconds=5)).total_seconds() * 1000
