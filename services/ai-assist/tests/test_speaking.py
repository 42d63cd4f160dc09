"""When the assistant answers, and when it leaves the conversation to a person."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from frontdesk_ai_assist.domain.speaking import AssistantSettings, ConversationState, due_at, quiet_reason

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOURS = {day: ((time(10), time(20)),) for day in range(7)}
SENT = datetime(2026, 11, 18, 22, 0, tzinfo=SHANGHAI)  # a Wednesday night, the shop closed
ALWAYS = AssistantSettings("always")


NOBODY = ConversationState()


def quiet(settings=ALWAYS, state=NOBODY, sent=SENT, now=None):
    return quiet_reason(settings, state, sent, now or sent, HOURS, "Asia/Shanghai")


def test_off_by_default():
    assert quiet(AssistantSettings()) == "off"


def test_always_answers_a_conversation_nobody_handles():
    assert quiet() is None


def test_outside_hours_answers_only_while_the_shop_is_closed():
    settings = AssistantSettings("outside_hours")
    assert quiet(settings) is None
    assert quiet(settings, sent=SENT.replace(hour=11)) == "shop_open"
    assert quiet_reason(settings, ConversationState(), SENT, SENT, {}, "Asia/Shanghai") == "shop_open"


def test_no_staff_reply_waits_then_answers_unless_staff_wrote_meanwhile():
    settings = AssistantSettings("no_staff_reply", reply_after=timedelta(minutes=5))
    due = due_at(settings, SENT)
    assert due == SENT + timedelta(minutes=5)
    assert quiet(settings, now=due) is None
    answered = ConversationState(last_staff_at=SENT + timedelta(minutes=2))
    assert quiet(settings, answered, now=due) == "staff_replied"


def test_it_never_talks_over_a_staff_member_who_wrote_recently():
    state = ConversationState(last_staff_at=SENT - timedelta(minutes=10))
    assert quiet(state=state) == "staff_active"
    assert quiet(state=state, now=SENT + timedelta(minutes=25)) is None


@pytest.mark.parametrize(
    ("field", "reason"), [("handed_off_at", "handed_off"), ("assigned_by_person_at", "assigned")]
)
def test_a_handed_off_or_hand_assigned_conversation_is_a_persons_until_released(field, reason):
    taken = ConversationState(**{field: SENT - timedelta(hours=3)})
    assert quiet(state=taken) == reason
    released = ConversationState(
        **{field: SENT - timedelta(hours=3), "released_at": SENT - timedelta(hours=1)}
    )
    assert quiet(state=released) is None
