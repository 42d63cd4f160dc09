"""The Conversation aggregate on its own: no database, no Kafka."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from frontdesk_messaging.domain.model import (
    Actor,
    Conversation,
    ConversationNotFound,
    InvalidMessage,
    MessageSent,
    NotAllowed,
)

NOW = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)


@pytest.fixture
def shop():
    return uuid4()


@pytest.fixture
def customer(shop):
    return Actor(uuid4(), "customer", shop)


@pytest.fixture
def staff(shop):
    return Actor(uuid4(), "staff", shop)


@pytest.fixture
def conversation(shop, customer):
    conversation = Conversation(uuid4())
    conversation.open(shop, customer.user_id, customer, NOW)
    return conversation


def test_messages_get_gapless_sequence_numbers_whoever_sends(conversation, customer, staff):
    seqs = [
        conversation.send(sender, uuid4(), f"c{i}", "在吗?", NOW).seq
        for i, sender in enumerate([customer, staff, customer, customer])
    ]
    assert seqs == [1, 2, 3, 4]
    assert conversation.version == 5  # opened + four messages


def test_opening_twice_records_nothing_new(conversation, shop, customer):
    conversation.pending.clear()
    conversation.open(shop, customer.user_id, customer, NOW)
    assert conversation.pending == []


def test_another_customer_of_the_same_shop_cannot_write(conversation, shop):
    stranger = Actor(uuid4(), "customer", shop)
    with pytest.raises(ConversationNotFound):
        conversation.send(stranger, uuid4(), "x", "hello", NOW)


def test_staff_of_another_shop_cannot_write(conversation):
    other_staff = Actor(uuid4(), "staff", uuid4())
    with pytest.raises(ConversationNotFound):
        conversation.send(other_staff, uuid4(), "x", "hello", NOW)


def test_a_customer_cannot_open_a_conversation_for_someone_else(shop, customer):
    with pytest.raises(ConversationNotFound):
        Conversation(uuid4()).open(shop, uuid4(), customer, NOW)


def test_nobody_can_write_before_it_is_opened(customer):
    with pytest.raises(ConversationNotFound):
        Conversation(uuid4()).send(customer, uuid4(), "x", "hello", NOW)


@pytest.mark.parametrize("text", ["", "   ", "x" * 4001])
def test_empty_or_oversized_text_is_refused_and_takes_no_seq(conversation, customer, text):
    with pytest.raises(InvalidMessage):
        conversation.send(customer, uuid4(), "x", text, NOW)
    assert conversation.send(customer, uuid4(), "y", "ok", NOW).seq == 1


def test_state_rebuilt_from_its_events_continues_the_sequence(conversation, customer):
    conversation.send(customer, uuid4(), "a", "one", NOW)
    replayed = Conversation(conversation.id)
    for event in conversation.pending:
        replayed.apply(event)
    assert isinstance(conversation.pending[-1], MessageSent)
    assert replayed.send(customer, uuid4(), "b", "two", NOW).seq == 2


def test_only_a_staff_role_actor_can_send_as_the_assistant(conversation, customer, staff):
    by_assistant = conversation.send(staff, uuid4(), "a", "您好，我是店里的助手", NOW, as_assistant=True)
    by_customer = conversation.send(customer, uuid4(), "b", "我也是助手", NOW, as_assistant=True)
    assert (by_assistant.sender_kind, by_customer.sender_kind) == ("assistant", "person")


def test_a_handoff_carries_its_note_even_to_the_person_who_already_has_it(conversation, staff):
    person = uuid4()
    conversation.assign(staff, person, NOW)
    conversation.pending.clear()
    conversation.hand_off(staff, person, NOW, "  健康问题：呕吐（金毛） ")
    [handed] = conversation.pending
    assert (handed.assignee_id, handed.previous_assignee_id, handed.reason, handed.handoff_note) == (
        person,
        person,
        "transfer",
        "健康问题：呕吐（金毛）",
    )


def test_staff_assigning_to_whoever_has_it_is_recorded_but_the_round_robin_repeating_is_not(
    conversation, staff
):
    person = uuid4()
    conversation.assign(None, person, NOW)
    conversation.pending.clear()
    conversation.assign(None, person, NOW)
    assert conversation.pending == []
    conversation.assign(staff, person, NOW, " 想要周六上午洗澡 ")
    [taken] = conversation.pending
    assert (taken.assignee_id, taken.previous_assignee_id, taken.reason, taken.handoff_note) == (
        person,
        person,
        "manual",
        "想要周六上午洗澡",
    )
    conversation.pending.clear()
    conversation.assign(staff, None, NOW)
    conversation.assign(staff, None, NOW)
    assert [e.assignee_id for e in conversation.pending] == [None], "unassigning twice is one act"


def test_a_customer_cannot_hand_a_conversation_off(conversation, customer):
    with pytest.raises(NotAllowed):
        conversation.hand_off(customer, uuid4(), NOW, "note")
