"""Message search over years of history: fills a throwaway messaging database with
`shops × conversations × messages` mixed Chinese/English messages (plus one big shop),
indexed by the service's own tokenizer, then measures search latency scoped to a shop
(staff) and to one conversation (customer). Prints the figures and EXPLAIN ANALYZE of
both query shapes, then drops the database. See docs/search.md and docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import random
import secrets
import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from frontdesk_messaging.bootstrap import MIGRATIONS
from frontdesk_messaging.config import MessagingSettings
from frontdesk_messaging.projections import search, search_terms
from frontdesk_platform.database import create_engine, migrate, session_factory
from sqlalchemy import text

HISTORY_START = datetime(2023, 1, 1, tzinfo=UTC)
HISTORY_SECONDS = 3 * 365 * 24 * 3600  # three years of messages

# What the messages are made of: "name: entry|entry|…"; a name may go on over several lines.
WORD_LISTS = """
greetings: 你好|在吗|请问|老板|亲|您好|Hi|Hello|麻烦问一下
pets: 金毛|泰迪|柯基|布偶猫|英短|比熊|萨摩耶|宝宝|小狗|猫咪|puppy|Golden Retriever
services: 洗澡|美容|剪指甲|驱虫|打疫苗|寄养|美甲|修眉|做造型|SPA|奶粉|纸尿裤|婴儿车|辅食
services: grooming|bath|nail trim|haircut|vaccine|shampoo
when: 周六上午|明天下午|今天晚上|下周一|10点|三点半|周末|中午
when: tomorrow|this weekend|at 3pm|next Monday
asks: 可以预约吗|多少钱|需要多久|还有位置吗|能改时间吗|要取消|有优惠吗|怎么收费
asks: can I book|how much is it|is there a discount|please cancel|any slots left
replies: 好的|收到|没问题|可以的|已经帮您预约了|稍等一下|谢谢!|已安排|到店付款就行
replies: OK|thanks|sure|see you then
extras: 售后服务怎么联系|退换货|会员卡|积分|地址在哪里|停车方便吗|送货上门|发票|营业时间
extras: refund|member card|after-sales service
punctuation: ?|!|,|。|~|…| |，|？
queries: 洗澡|售后|金毛|金毛 洗澡|预约|美甲|寄养|疫苗|优惠|会员卡|停车|发票|取消
queries: grooming|bath|discount|refund|puppy|grooming 周六|Golden 洗澡
"""


def _word_lists(spec: str) -> dict[str, list[str]]:
    lists: dict[str, list[str]] = {}
    for line in spec.strip().splitlines():
        name, entries = line.split(": ", 1)
        lists.setdefault(name, []).extend(entries.split("|"))
    return lists


WORDS = _word_lists(WORD_LISTS)


def message_text(rng: random.Random, from_customer: bool) -> str:
    if from_customer:
        parts = [rng.choice(WORDS[k]) for k in ("greetings", "pets", "when", "services", "asks")]
        parts = rng.sample(parts, rng.randint(2, len(parts)))
        if rng.random() < 0.15:
            parts.append(rng.choice(WORDS["extras"]))
    else:
        parts = [rng.choice(WORDS["replies"])]
        if rng.random() < 0.6:
            parts += [rng.choice(WORDS["when"]), rng.choice(WORDS["services"])]
    return "".join(p + rng.choice(WORDS["punctuation"]) for p in parts).strip()


@dataclass(frozen=True)
class ShopPlan:
    index: int
    conversations: int
    messages: int  # per conversation


def shop_rows(plan: ShopPlan) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """One shop's conversations, messages and search rows (terms still a text[])."""
    rng = random.Random(plan.index)
    shop_id = uuid.UUID(int=rng.getrandbits(128))
    conversations, messages, indexed = [], [], []
    for _ in range(plan.conversations):
        conversation_id, customer_id, staff_id = (uuid.UUID(int=rng.getrandbits(128)) for _ in range(3))
        times = sorted(rng.randrange(HISTORY_SECONDS) for _ in range(plan.messages))
        for seq, offset in enumerate(times, 1):
            from_customer = rng.random() < 0.55
            text = message_text(rng, from_customer)
            sent_at = HISTORY_START + timedelta(seconds=offset)
            message_id = uuid.UUID(int=rng.getrandbits(128))
            sender, role = (customer_id, "customer") if from_customer else (staff_id, "staff")
            messages.append(
                (conversation_id, seq, message_id, sender, role, f"c{seq}", "text", text, sent_at)
            )
            indexed.append((message_id, shop_id, customer_id, sent_at, search_terms.index_terms(text)))
        conversations.append((conversation_id, shop_id, customer_id, HISTORY_START, plan.messages, sent_at))
    return conversations, messages, indexed


async def fill(dsn: str, plans: list[ShopPlan], workers: int) -> dict[str, float]:
    conn = await asyncpg.connect(dsn)
    timings: dict[str, float] = {}
    try:
        await conn.execute("DROP INDEX message_search_terms")
        await conn.execute(
            "CREATE UNLOGGED TABLE search_load (message_id uuid, shop_id uuid, customer_id uuid, "
            "sent_at timestamptz, terms text[])"
        )
        started = time.perf_counter()
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for n, (conversations, messages, indexed) in enumerate(pool.imap_unordered(shop_rows, plans), 1):
                await conn.copy_records_to_table(
                    "conversations",
                    records=conversations,
                    columns=["id", "shop_id", "customer_id", "opened_at", "last_seq", "last_activity_at"],
                )
                await conn.copy_records_to_table("messages", records=messages)
                await conn.copy_records_to_table("search_load", records=indexed)
                if n % 20 == 0:
                    print(
                        f"  {n}/{len(plans)} shops written, {time.perf_counter() - started:.0f}s", flush=True
                    )
        timings["generate_segment_copy_s"] = time.perf_counter() - started
        started = time.perf_counter()
        await conn.execute(
            "INSERT INTO message_search SELECT message_id, shop_id, customer_id, sent_at, "
            "array_to_tsvector(terms) FROM search_load"
        )
        await conn.execute("DROP TABLE search_load")
        timings["tsvectors_s"] = time.perf_counter() - started
        started = time.perf_counter()
        await conn.execute("SET maintenance_work_mem = '512MB'")
        await conn.execute(
            "CREATE INDEX message_search_terms ON message_search USING GIN (shop_id, customer_id, terms)"
        )
        await conn.execute("VACUUM ANALYZE message_search")
        await conn.execute("VACUUM ANALYZE messages")
        timings["gin_index_s"] = time.perf_counter() - started
        timings["table_mb"] = await conn.fetchval("SELECT pg_table_size('message_search')") / 2**20
        timings["index_mb"] = await conn.fetchval("SELECT pg_relation_size('message_search_terms')") / 2**20
    finally:
        await conn.close()
    return timings


@dataclass(frozen=True)
class Scope:
    name: str
    shop_id: uuid.UUID
    customer_id: uuid.UUID | None
    query: str | None = None  # None: a random one of WORDS["queries"]


async def scopes(dsn: str, big_shop: uuid.UUID | None, count: int, seed: int) -> dict[str, list[Scope]]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT shop_id, customer_id FROM conversations")
    finally:
        await conn.close()
    rng = random.Random(seed)
    small = [r for r in rows if r["shop_id"] != big_shop]
    picked = {
        "staff": [Scope("staff", r["shop_id"], None) for r in rng.choices(small, k=count)],
        "customer": [Scope("customer", r["shop_id"], r["customer_id"]) for r in rng.choices(small, k=count)],
    }
    if big_shop is not None:
        picked["staff, big shop"] = [Scope("staff", big_shop, None)] * count
        # 可以 is in about one message in eight: the most rows a search there sorts
        picked["big shop, common"] = [Scope("staff", big_shop, None, "可以")] * count
    return picked


async def measure(settings: MessagingSettings, picked: dict[str, list[Scope]], seed: int) -> dict[str, Any]:
    """Latency of what GET /internal/search does: find (one SQL query) + snippets."""
    engine = create_engine(settings)
    sessions = session_factory(engine)
    rng = random.Random(seed)
    report: dict[str, Any] = {}
    try:
        async with sessions() as session:
            for scope in next(iter(picked.values()))[:20]:  # warm up
                await search.find(session, scope.shop_id, search_terms.query_terms("洗澡"), limit=21)
            for name, chosen in picked.items():
                sql, total, hits = [], [], []
                for scope in chosen:
                    started = time.perf_counter()
                    terms = search_terms.query_terms(scope.query or rng.choice(WORDS["queries"]))
                    asked = time.perf_counter()
                    rows = await search.find(
                        session, scope.shop_id, terms, customer_id=scope.customer_id, limit=21
                    )
                    sql.append((time.perf_counter() - asked) * 1000)
                    for row in rows[:20]:
                        search_terms.snippet(row["text"], terms)
                    total.append((time.perf_counter() - started) * 1000)
                    hits.append(len(rows[:20]))
                report[name] = {
                    "queries": len(chosen),
                    "mean_results": statistics.mean(hits),
                    "sql": summary(sql),
                    "total": summary(total),
                }
    finally:
        await engine.dispose()
    return report


def summary(latencies: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {"p50_ms": cuts[49], "p95_ms": cuts[94], "p99_ms": cuts[98], "max_ms": max(latencies)}


async def explain(settings: MessagingSettings, picked: dict[str, list[Scope]]) -> list[str]:
    """EXPLAIN ANALYZE of the statement search.find runs, once per scope."""
    engine = create_engine(settings)
    plans = []
    try:
        async with session_factory(engine)() as session:
            for name, chosen in picked.items():
                scope = chosen[0]
                query = scope.query or "金毛 洗澡"
                statement, params = search.find_query(
                    scope.shop_id, search_terms.query_terms(query), scope.customer_id, None, 21
                )
                rows = await session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {statement.text}"), params)
                plans.append(f"-- {name}: {query}\n" + "\n".join(r[0] for r in rows))
    finally:
        await engine.dispose()
    return plans


def _ms(figures: dict[str, float]) -> str:
    return " / ".join(f"{figures[k]:.1f}" for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms"))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shops", type=int, default=200)
    parser.add_argument("--conversations", type=int, default=50, help="per shop")
    parser.add_argument("--messages", type=int, default=100, help="per conversation")
    parser.add_argument(
        "--big-shop", type=int, default=100_000, help="messages of one extra big shop (0: none)"
    )
    parser.add_argument("--queries", type=int, default=300, help="per scope")
    parser.add_argument("--workers", type=int, default=2, help="processes segmenting text")
    parser.add_argument("--keep", action="store_true", help="keep the database (its name is printed)")
    return parser.parse_args()


async def bench(args: argparse.Namespace) -> None:
    settings = MessagingSettings(database_name=f"bench_search_{secrets.token_hex(4)}", log_json=False)
    plans = [ShopPlan(i, args.conversations, args.messages) for i in range(args.shops)]
    big_shop = None
    if args.big_shop:
        plans.insert(0, ShopPlan(args.shops, args.big_shop // args.messages, args.messages))
        big_shop = uuid.UUID(int=random.Random(args.shops).getrandbits(128))
    total = sum(p.conversations * p.messages for p in plans)
    print(f"database {settings.database_name}: {total:,} messages in {len(plans)} shops", flush=True)
    await migrate(settings, MIGRATIONS)
    dsn = settings.asyncpg_dsn()
    try:
        timings = await fill(dsn, plans, args.workers)
        print("filled: " + json.dumps({k: round(v, 1) for k, v in timings.items()}), flush=True)
        picked = await scopes(dsn, big_shop, args.queries, seed=1)
        report = await measure(settings, picked, seed=2)
        for plan in await explain(settings, picked):
            print(plan)
        header = f"{'scope':<16}{'queries':>8}{'results':>8}   {'SQL p50/p95/p99/max ms':<28}"
        print(f"\n{header}total p50/p95/p99/max ms")
        for name, r in report.items():
            print(
                f"{name:<16}{r['queries']:>8}{r['mean_results']:>8.1f}   {_ms(r['sql']):<28}{_ms(r['total'])}"
            )
        print(
            "RESULT " + json.dumps({"messages": total, **timings, **report}, default=str, ensure_ascii=False),
            flush=True,
        )
    finally:
        if not args.keep:
            admin = await asyncpg.connect(settings.asyncpg_dsn("postgres"))
            await admin.execute(f'DROP DATABASE "{settings.database_name}" WITH (FORCE)')
            await admin.close()


def main() -> None:
    search_terms.load()  # before the workers fork, so each has the dictionary
    asyncio.run(bench(parse_args()))


if __name__ == "__main__":
    main()
