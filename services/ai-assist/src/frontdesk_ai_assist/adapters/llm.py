"""An optional language model behind an OpenAI-compatible chat endpoint, for questions
the knowledge base cannot answer with confidence, and for the wording of its answers.

It is given the shop's facts and FAQ and told to answer only from them, briefly, in
the customer's language, and to say HANDOFF when they do not answer the question.
An empty answer, HANDOFF, an error or a timeout all mean "no answer": the caller hands
the conversation to a person, as it would with no model at all. It is never asked
about health worries or requests for a person; those always go to a person.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from ..domain import FaqEntry, Language

log = logging.getLogger(__name__)
HANDOFF = "HANDOFF"
MAX_ANSWER = 1000

_SYSTEM = {
    "zh": (
        "你是{shop}的客服助手。只根据下面的店铺资料回答顾客的问题，用简短、礼貌的中文，"
        "不要编造资料里没有的信息，不要做医疗判断，不能替顾客预约。"
        f"如果资料回答不了这个问题，只回复 {HANDOFF}。\n\n店铺资料：\n{{facts}}"
    ),
    "en": (
        "You are the customer assistant of {shop}. Answer the customer's question only from the "
        "shop's information below, briefly and politely, in English. Never invent anything it does "
        "not say, never give medical advice, and do not make bookings. If the information does not "
        f"answer the question, reply with exactly {HANDOFF}.\n\nShop information:\n{{facts}}"
    ),
}


_REWORD = {
    "zh": (
        "把店铺的答案改写成对顾客这个问题自然、亲切、简短的中文回复。必须保留答案里的每一个事实、"
        "数字、价格和时间，不得增加答案里没有的信息。只输出改写后的回复。\n\n店铺的答案：{answer}"
    ),
    "en": (
        "Rewrite the shop's answer as a natural, friendly, brief English reply to the customer's "
        "question. Keep every fact, number, price and time exactly; add nothing the answer does not "
        "say. Output only the reply.\n\nThe shop's answer: {answer}"
    ),
}


@dataclass(frozen=True)
class ChatModel:
    client: httpx.AsyncClient  # base_url is the endpoint's, e.g. https://api.example.com/v1
    model: str
    api_key: str = ""
    timeout: float = 15.0

    async def answer(
        self, question: str, shop_name: str, facts: Sequence[FaqEntry], language: Language
    ) -> str | None:
        return await self._chat(system_prompt(shop_name, facts, language), question)

    async def reword(self, question: str, answer: str, language: Language) -> str | None:
        """The knowledge base's answer, worded for this question; None (keep the answer as
        it is) when the model fails or its wording drops a number the answer had."""
        text = await self._chat(_REWORD[language].format(answer=answer), question)
        if text is None or not keeps_numbers(answer, text):
            return None
        return text

    async def _chat(self, system: str, user: str) -> str | None:
        body = {
            "model": self.model,
            "temperature": 0.2,
            "max_tokens": 400,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
        }
        headers = {"authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        try:
            response = await self.client.post(
                "chat/completions", json=body, headers=headers, timeout=self.timeout
            )
            response.raise_for_status()
            return answer_of(response.json())
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("the language model did not answer: %r", exc)
            return None


def system_prompt(shop_name: str, facts: Sequence[FaqEntry], language: Language) -> str:
    lines = [f"Q: {f.question}\nA: {f.answer}" for f in facts]
    return _SYSTEM[language].format(shop=shop_name, facts="\n".join(lines))


def answer_of(body: dict[str, Any]) -> str | None:
    """The first choice's text, or None when it is empty or hands off."""
    try:
        content = body["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        return None
    if not isinstance(content, str):
        return None
    text = content.strip()
    if not text or HANDOFF in text.upper():
        return None
    return text[:MAX_ANSWER]


def keeps_numbers(original: str, reworded: str) -> bool:
    """Every number of the original (a price, a time, a count) is still there."""
    return all(n in reworded for n in re.findall(r"\d+(?:[.:]\d+)?", original))
