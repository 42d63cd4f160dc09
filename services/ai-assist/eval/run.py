"""How well the assistant understands real-sounding customer messages.

    uv run python services/ai-assist/eval/run.py [--failures] [--messages FILE] [--only REGEX]

Reads `messages.jsonl` (labelled messages: text, shop, expected intent, slots and
whether it must go to a person) and `shops.json` (the three shops' catalogs and FAQs
and a few customers' pets), understands every message as if it arrived at NOW —
Wednesday 2026-11-18 09:00 in Asia/Shanghai, so 明天 is 2026-11-19 and 周六 is
2026-11-21 — and prints:

- intent accuracy;
- exact slot accuracy: every slot equal (service, pet, date, time, part of day,
  picked option, FAQ answer; a slot not labelled must come out empty);
- handoff recall and precision (a message handed to a person when it must be);
- medical and human handoff recall (medical ones must get the careful medical reply);
- the time to understand one message, p50 and p99.

It exits 1 if any figure is below its floor in `floors.json` (or a time above its
ceiling), so CI catches a regression. `--messages FILE` scores only that file — a new
batch, before it joins the set — and `--only REGEX` only the messages whose id matches
(`--only=-b` is the third batch); neither is held to the floors.

Slot labels: `service` is the shop's service id; `pet` is `known:<id>` for one of
the customer's own pets, else `species` or `species/breed` (dog/golden retriever,
child); `date` is ISO, `time` HH:MM, `part` morning/noon/afternoon/evening (only when
no exact time is said); `option` is the offered option picked (1-based, -1 = last);
`answer` is the knowledge entry that answers an faq (null: none should).
A time is labelled only where it says when to come (book, reschedule, cancel).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from datetime import time as clock
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from frontdesk_ai_assist.domain import (
    FaqEntry,
    HandOff,
    Pet,
    ServiceOffer,
    ShopContext,
    Understanding,
    decide,
    load,
    understand,
)

HERE = Path(__file__).resolve().parent
NOW = datetime(2026, 11, 18, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SLOTS = ("service", "pet", "date", "time", "part", "option", "answer")


@dataclass(frozen=True)
class Labelled:
    id: str
    shop: str
    customer: str | None
    text: str
    intent: str
    slots: dict[str, Any]
    must_handoff: bool


@dataclass
class Outcome:
    message: Labelled
    intent: str
    slots: dict[str, Any]
    handoff: HandOff | None
    seconds: float

    @property
    def intent_ok(self) -> bool:
        return self.intent == self.message.intent

    @property
    def slots_ok(self) -> bool:
        return all(self.message.slots.get(k) == self.slots.get(k) for k in SLOTS)


@dataclass
class Report:
    figures: dict[str, float]
    outcomes: list[Outcome] = field(default_factory=list)

    def failures(self) -> list[Outcome]:
        return [
            o
            for o in self.outcomes
            if not o.intent_ok or not o.slots_ok or (o.handoff is not None) != o.message.must_handoff
        ]


def load_shops(path: Path = HERE / "shops.json") -> tuple[dict[str, ShopContext], dict[str, list[Pet]]]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    shops = {key: _shop(value) for key, value in raw["shops"].items()}
    customers = {key: [Pet(**pet) for pet in pets] for key, pets in raw["customers"].items()}
    return shops, customers


def load_messages(path: Path = HERE / "messages.jsonl") -> list[Labelled]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [Labelled(**json.loads(line)) for line in lines if line.strip()]


def evaluate(messages: Iterable[Labelled] | None = None) -> Report:
    load()
    shops, customers = load_shops()
    for shop in shops.values():
        len(shop.knowledge)  # built once per shop, as the service would at start
    outcomes = []
    for message in messages if messages is not None else load_messages():
        shop, pets = shops[message.shop], customers.get(message.customer or "", [])
        started = time.perf_counter()
        understood = understand(message.text, shop, NOW, pets)
        seconds = time.perf_counter() - started
        decision = decide(understood, shop)
        handoff = decision if isinstance(decision, HandOff) else None
        outcomes.append(Outcome(message, understood.intent, slots_of(understood), handoff, seconds))
    return Report(_figures(outcomes), outcomes)


def slots_of(u: Understanding) -> dict[str, Any]:
    pet = None
    if u.pet is not None:
        pet = (
            f"known:{u.pet.known.id}"
            if u.pet.known
            else "/".join(p for p in (u.pet.species, u.pet.breed) if p)
        )
    when = u.when
    return {
        "service": u.service.id if u.service else None,
        "pet": pet or None,
        "date": when.date.isoformat() if when else None,
        "time": f"{when.time:%H:%M}" if when and when.time else None,
        "part": when.part if when else None,
        "option": u.option,
        "answer": u.answer.entry_id if u.answer else None,
    }


def _figures(outcomes: list[Outcome]) -> dict[str, float]:
    def share(chosen: list[Outcome], ok: Any) -> float:
        return round(sum(1 for o in chosen if ok(o)) / len(chosen), 4) if chosen else 1.0

    must = [o for o in outcomes if o.message.must_handoff]
    handed = [o for o in outcomes if o.handoff is not None]
    medical = [o for o in outcomes if o.message.intent == "medical"]
    human = [o for o in outcomes if o.message.intent == "human"]
    timings = sorted(o.seconds * 1000 for o in outcomes)
    return {
        "messages": len(outcomes),
        "intent_accuracy": share(outcomes, lambda o: o.intent_ok),
        "slot_accuracy": share(outcomes, lambda o: o.slots_ok),
        "slot_accuracy_labelled": share([o for o in outcomes if o.message.slots], lambda o: o.slots_ok),
        "handoff_recall": share(must, lambda o: o.handoff is not None),
        "handoff_precision": share(handed, lambda o: o.message.must_handoff),
        "medical_handoff_recall": share(
            medical, lambda o: o.handoff is not None and o.handoff.reason == "medical"
        ),
        "human_handoff_recall": share(human, lambda o: o.handoff is not None),
        "p50_ms": round(statistics.median(timings), 3) if timings else 0.0,
        "p99_ms": round(timings[min(len(timings) - 1, int(len(timings) * 0.99))], 3) if timings else 0.0,
    }


def below_floors(figures: dict[str, float], floors: dict[str, float]) -> list[str]:
    """Each figure worse than its floor; `*_ms` floors are ceilings."""
    worse = []
    for name, floor in floors.items():
        value = figures[name]
        if (value > floor) if name.endswith("_ms") else (value < floor):
            worse.append(
                f"{name} = {value} ({'above the ceiling' if name.endswith('_ms') else 'below the floor'} {floor})"
            )
    return worse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--failures", action="store_true", help="list every message understood wrongly")
    parser.add_argument("--messages", type=Path, help="score only this file's messages (no floors)")
    parser.add_argument(
        "--only", metavar="REGEX", help="score only the messages whose id matches (no floors)"
    )
    args = parser.parse_args(argv)
    messages = load_messages(args.messages) if args.messages else load_messages()
    if args.only:
        messages = [m for m in messages if re.search(args.only, m.id)]
    report = evaluate(messages)
    if args.failures:
        for o in report.failures():
            print(f"{o.message.id} {o.message.text!r}")
            print(
                f"    intent {o.intent} (want {o.message.intent}); handoff {o.handoff is not None} (want {o.message.must_handoff})"
            )
            wrong = {
                k: (o.slots.get(k), o.message.slots.get(k))
                for k in SLOTS
                if o.slots.get(k) != o.message.slots.get(k)
            }
            if wrong:
                print(
                    "    slots (got, want): "
                    + ", ".join(f"{k}={got!r}/{want!r}" for k, (got, want) in wrong.items())
                )
    by_intent = Counter(o.message.intent for o in report.outcomes)
    right = Counter(o.message.intent for o in report.outcomes if o.intent_ok)
    print(f"understood at {NOW.isoformat()} (Asia/Shanghai, a Wednesday)")
    for name, value in report.figures.items():
        print(f"{name:>24}: {value}")
    print("      intent recall each: " + ", ".join(f"{i} {right[i]}/{n}" for i, n in by_intent.most_common()))
    if args.messages or args.only:
        return 0
    floors = json.loads((HERE / "floors.json").read_text(encoding="utf-8"))
    worse = below_floors(report.figures, floors)
    for line in worse:
        print(f"FAIL {line}")
    return 1 if worse else 0


def _shop(raw: dict[str, Any]) -> ShopContext:
    hours = {
        int(day): tuple((clock.fromisoformat(a), clock.fromisoformat(b)) for a, b in spans)
        for day, spans in raw.get("hours", {}).items()
    }
    return ShopContext(
        name=raw["name"],
        name_en=raw.get("name_en", ""),
        kind=raw["kind"],
        timezone=raw["timezone"],
        address=raw.get("address", ""),
        address_en=raw.get("address_en", ""),
        phone=raw.get("phone", ""),
        hours=hours,
        services=tuple(
            ServiceOffer(**{**s, "aliases": tuple(s.get("aliases", ()))}) for s in raw["services"]
        ),
        faq=tuple(FaqEntry(**{**f, "keywords": tuple(f.get("keywords", ()))}) for f in raw.get("faq", ())),
    )


if __name__ == "__main__":
    sys.exit(main())
