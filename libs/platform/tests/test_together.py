"""Partition workers' batches carried out together (consumer._Together), with a fake
transaction: what waits at the same moment goes as one, a lone batch goes at once, a slow
transaction holds up only what it took."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from frontdesk_platform import consumer
from frontdesk_platform.consumer import _Together
from frontdesk_platform.faults import DONE, Outcome


class Transactions:
    """Records each call's records; a call for a record in `stuck` waits for `release`."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.stuck: set[str] = set()
        self.release = asyncio.Event()

    async def __call__(self, records: list[Any]) -> list[Outcome]:
        self.calls.append(list(records))
        if self.stuck & set(records):
            await self.release.wait()
        if "bad" in records:
            raise RuntimeError("the transaction failed")
        return [DONE for _ in records]


async def test_a_lone_batch_goes_at_once() -> None:
    transactions = Transactions()
    together = _Together(transactions, max_batch=100, at_once=2)
    outcomes = await asyncio.wait_for(together.carry_out(["a1"]), 1)  # type: ignore[list-item]
    assert transactions.calls == [["a1"]]
    assert [o.kind for o in outcomes] == ["done"]


async def test_a_batch_handed_over_just_as_the_last_round_ends_gets_a_round_of_its_own() -> None:
    transactions = Transactions()
    together = _Together(transactions, max_batch=100, at_once=1)
    async with asyncio.timeout(1):
        for n in range(3):  # each hands over the moment the one before has its outcomes
            await together.carry_out([f"a{n}"])  # type: ignore[list-item]
    assert transactions.calls == [["a0"], ["a1"], ["a2"]]


async def test_batches_that_wait_at_the_same_moment_go_as_one_and_each_gets_its_own_outcomes() -> None:
    transactions = Transactions()
    transactions.stuck = {"a1"}
    together = _Together(transactions, max_batch=100, at_once=1)
    first = asyncio.create_task(together.carry_out(["a1"]))  # type: ignore[list-item]
    await asyncio.sleep(0.01)
    second = asyncio.create_task(together.carry_out(["b1", "b2"]))  # type: ignore[list-item]
    third = asyncio.create_task(together.carry_out(["c1"]))  # type: ignore[list-item]
    await asyncio.sleep(0.01)
    transactions.release.set()
    assert [len(o) for o in await asyncio.gather(first, second, third)] == [1, 2, 1]
    assert transactions.calls == [["a1"], ["b1", "b2", "c1"]]  # in the order handed over


async def test_a_round_takes_no_more_than_the_batch_bound() -> None:
    transactions = Transactions()
    transactions.stuck = {"a1"}
    together = _Together(transactions, max_batch=3, at_once=1)
    waiting = [asyncio.create_task(together.carry_out(["a1"]))]  # type: ignore[list-item]
    await asyncio.sleep(0.01)
    waiting += [asyncio.create_task(together.carry_out([f"{p}1", f"{p}2"])) for p in "bc"]  # type: ignore[list-item]
    await asyncio.sleep(0.01)
    transactions.release.set()
    await asyncio.gather(*waiting)
    assert transactions.calls == [["a1"], ["b1", "b2"], ["c1", "c2"]]


async def test_a_slow_transaction_holds_up_what_it_took_not_the_batches_after_it() -> None:
    transactions = Transactions()
    transactions.stuck = {"slow"}
    together = _Together(transactions, max_batch=100, at_once=2)
    slow = asyncio.create_task(together.carry_out(["slow"]))  # type: ignore[list-item]
    await asyncio.sleep(0.01)
    fast = await asyncio.wait_for(together.carry_out(["fast"]), 1)  # type: ignore[list-item]
    assert [o.kind for o in fast] == ["done"] and not slow.done()
    transactions.release.set()
    await slow


async def test_a_failed_transaction_fails_every_batch_it_took_and_the_next_round_goes_on() -> None:
    transactions = Transactions()
    transactions.stuck = {"a1"}
    together = _Together(transactions, max_batch=100, at_once=1)
    first = asyncio.create_task(together.carry_out(["a1"]))  # type: ignore[list-item]
    await asyncio.sleep(0.01)
    failing = [asyncio.create_task(together.carry_out([r])) for r in ("bad", "b1")]  # type: ignore[list-item]
    await asyncio.sleep(0.01)
    transactions.release.set()
    await first
    for task in failing:
        with pytest.raises(RuntimeError):
            await task
    assert len(await together.carry_out(["c1"])) == 1  # type: ignore[list-item]
    assert transactions.calls[-1] == ["c1"]


async def test_a_few_records_wait_for_the_running_transaction_and_a_burst_goes_beside_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(consumer, "PATIENCE", 10)  # not run out in this test
    transactions = Transactions()
    transactions.stuck = {"a1"}
    together = _Together(transactions, max_batch=100, at_once=4)
    first = asyncio.create_task(together.carry_out(["a1"]))  # type: ignore[list-item]
    await asyncio.sleep(0.01)
    few = [asyncio.create_task(together.carry_out([r])) for r in ("b1", "c1")]  # type: ignore[list-item]
    await asyncio.sleep(0.01)
    assert transactions.calls == [["a1"]]  # they wait for it
    burst = [f"d{n}" for n in range(consumer.COMPANY)]
    await asyncio.wait_for(together.carry_out(burst), 1)  # type: ignore[arg-type]
    assert transactions.calls == [["a1"], ["b1", "c1", *burst]]  # beside it, all that waited
    transactions.release.set()
    await asyncio.gather(first, *few)


async def test_a_record_behind_a_stuck_transaction_waits_no_longer_than_the_patience(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(consumer, "PATIENCE", 0.02)
    transactions = Transactions()
    transactions.stuck = {"stuck"}
    together = _Together(transactions, max_batch=100, at_once=2)
    stuck = asyncio.create_task(together.carry_out(["stuck"]))  # type: ignore[list-item]
    await asyncio.sleep(0.01)
    started = asyncio.get_running_loop().time()
    await asyncio.wait_for(together.carry_out(["b1"]), 1)  # type: ignore[list-item]
    assert asyncio.get_running_loop().time() - started >= 0.015
    assert not stuck.done()
    transactions.release.set()
    await stuck
