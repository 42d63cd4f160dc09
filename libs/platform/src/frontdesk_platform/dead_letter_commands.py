"""`frontdesk-<service> dead-letters list|show|replay`: what the service gave up on, and
sending it back once the cause is fixed (docs/runbook.md has the procedure)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any

from frontdesk_contracts import topics

from .dead_letters import DeadLetter, Selection, read_dead_letters, replay
from .kafka import create_producer
from .settings import ServiceSettings

SELECTIONS = "TOPIC:PARTITION:OFFSET, TOPIC:PARTITION:FIRST-LAST (as listed) or an envelope id"


async def dead_letters(settings: ServiceSettings, argv: Sequence[str]) -> None:
    args = _parser(settings.service_name).parse_args(argv)
    dead_letter_topics = [topics.dead_letter(settings.topic(t)) for t in topics.ALL]
    letters = await read_dead_letters(settings.kafka_connection(), dead_letter_topics)
    if not args.all:
        letters = [letter for letter in letters if letter.service == settings.service_name]
    if args.action == "list":
        _list(letters)
        return
    chosen = [letter for letter in letters if any(letter in s for s in args.selections)]
    if not chosen:
        raise SystemExit(
            f"no dead letter of {settings.service_name} matches {' '.join(map(str, args.selections))}"
        )
    if args.action == "show":
        for letter in chosen:
            print(json.dumps(_whole(letter), ensure_ascii=False, indent=2))
        return
    await _replay(settings, chosen)


def _parser(service: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"frontdesk-{service} dead-letters",
        description="Records this service's consumers gave up on, and their replay after a fix.",
    )
    every = argparse.ArgumentParser(add_help=False)
    every.add_argument("--all", action="store_true", help="every service's dead letters, not only this one's")
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser("list", parents=[every], help="one line per dead letter, oldest first")
    for action, text in (("show", "a dead letter whole"), ("replay", "send into the original topic again")):
        sub = actions.add_parser(action, parents=[every], help=text)
        sub.add_argument("selections", nargs="+", type=_selection, metavar="SELECTION", help=SELECTIONS)
    return parser


def _selection(text: str) -> Selection:
    try:
        return Selection.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a selection ({exc}); use {SELECTIONS}") from None


def _list(letters: Sequence[DeadLetter]) -> None:
    if not letters:
        print("no dead letters")
        return
    for letter in letters:
        topic, partition, offset = letter.original
        key = (letter.key or b"").decode(errors="replace")
        print(
            f"{letter.address}  {letter.timestamp:%Y-%m-%d %H:%M:%S}  {letter.type or '-'}  id={letter.envelope_id or '-'}"
            f"  key={key or '-'}  consumer={letter.consumer}  from={topic}:{partition}:{offset}"
            f"  error={letter.error[:120]}"
        )


def _whole(letter: DeadLetter) -> dict[str, Any]:
    topic, partition, offset = letter.original
    try:
        value: Any = json.loads(letter.value)
    except ValueError:
        value = letter.value.decode(errors="replace")
    return {
        "address": letter.address,
        "dead_lettered_at": letter.timestamp.isoformat(),
        "type": letter.type,
        "id": letter.envelope_id,
        "key": (letter.key or b"").decode(errors="replace"),
        "consumer": letter.consumer,
        "service": letter.service,
        "original": {"topic": topic, "partition": partition, "offset": offset},
        "error_type": letter.header("error_type"),
        "error": letter.error,
        "headers": {key: value.decode(errors="replace") for key, value in letter.record_headers()},
        "value": value,
    }


async def _replay(settings: ServiceSettings, letters: Sequence[DeadLetter]) -> None:
    # A record two consumers gave up on is dead-lettered twice; sent once, both see it.
    once = list({letter.original: letter for letter in letters}.values())
    producer = create_producer(settings.kafka_connection())
    await producer.start()
    try:
        await replay(producer, once)
    finally:
        await producer.stop()
    for letter in once:
        topic, partition, _ = letter.original
        print(
            f"replayed {letter.address} ({letter.type or '?'} {letter.envelope_id}) into {topic}:{partition}"
        )
