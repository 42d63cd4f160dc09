"""Password hashing with Argon2id (OWASP's recommended parameters), off the event loop.

One hash takes ~40 ms of CPU. On the event loop that stalls every socket of the
instance for as long, so a spray of sign-ins froze pings for 90 ms; `Passwords` runs
them on a small pool of threads instead (argon2-cffi releases the GIL while it hashes),
and the pool's size bounds how many cores sign-ins can take at once.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Checked against when the login is unknown, so both paths take the same time.
_UNKNOWN_USER_HASH = _hasher.hash("frontdesk-unknown-user")

MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _UNKNOWN_USER_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


class Passwords:
    """Hashes and checks passwords on `workers` threads; callers wait without blocking the loop."""

    def __init__(self, workers: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="argon2")

    async def hash(self, password: str) -> str:
        return await asyncio.get_running_loop().run_in_executor(self._pool, hash_password, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        return await asyncio.get_running_loop().run_in_executor(
            self._pool, verify_password, password_hash, password
        )

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
