"""The poller's advisory locks.

* Leadership: a SESSION lock on ``trackers.poll_lock_key`` (one bigint), held by the leading
  replica's dedicated connection for as long as it leads.
* Cycle writes: a TRANSACTION lock on the same key in the other keyspace (two int4 halves; PostgreSQL
  keeps the two keyspaces apart), taken first in every cycle's write transaction. It serialises the
  writes of a replica that just lost the lead and one that just took it, so the alert engine can read
  its state unlocked: row locks on every ``alert_state`` row wrote WAL on every cycle.
"""

from __future__ import annotations

from bot.db.types import Conn

TRY_LEAD_SQL = "SELECT pg_try_advisory_lock($1)"
LOCK_CYCLE_WRITES_SQL = "SELECT pg_advisory_xact_lock($1::int4, $2::int4)"


def _halves(key: int) -> tuple[int, int]:
    """``key`` as two signed int4 (high, low)."""
    unsigned = key & 0xFFFF_FFFF_FFFF_FFFF

    def signed(x: int) -> int:
        return x - (1 << 32) if x >= 1 << 31 else x

    return signed(unsigned >> 32), signed(unsigned & 0xFFFF_FFFF)


async def try_lead(conn: Conn, key: int) -> bool:
    return bool(await conn.fetchval(TRY_LEAD_SQL, key))


async def lock_cycle_writes(conn: Conn, key: int) -> None:
    """Wait for any other cycle's write transaction; held until this transaction ends."""
    await conn.execute(LOCK_CYCLE_WRITES_SQL, *_halves(key))
