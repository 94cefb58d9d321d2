"""Telegram conversation state rows (``telegram_fsm``): one per bot, chat, user, thread and destiny."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.db.types import Executor


@dataclass(frozen=True, slots=True)
class FsmKey:
    bot_id: int
    chat_id: int
    user_id: int
    thread_id: int
    destiny: str

    def params(self) -> tuple[int, int, int, int, str]:
        return (self.bot_id, self.chat_id, self.user_id, self.thread_id, self.destiny)


_KEY = "bot_id = $1 AND chat_id = $2 AND user_id = $3 AND thread_id = $4 AND destiny = $5"

SET_STATE_SQL = """
INSERT INTO telegram_fsm (bot_id, chat_id, user_id, thread_id, destiny, state)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (bot_id, chat_id, user_id, thread_id, destiny)
DO UPDATE SET state = EXCLUDED.state, updated_at = now()
"""

SET_DATA_SQL = """
INSERT INTO telegram_fsm (bot_id, chat_id, user_id, thread_id, destiny, data)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (bot_id, chat_id, user_id, thread_id, destiny)
DO UPDATE SET data = EXCLUDED.data, updated_at = now()
"""

GET_STATE_SQL = f"SELECT state FROM telegram_fsm WHERE {_KEY}"
GET_DATA_SQL = f"SELECT data FROM telegram_fsm WHERE {_KEY}"
#: a row with neither state nor data carries nothing
PRUNE_SQL = f"DELETE FROM telegram_fsm WHERE {_KEY} AND state IS NULL AND data = '{{}}'::jsonb"


async def set_state(db: Executor, key: FsmKey, state: str | None) -> None:
    await db.execute(SET_STATE_SQL, *key.params(), state)
    if state is None:
        await db.execute(PRUNE_SQL, *key.params())


async def get_state(db: Executor, key: FsmKey) -> str | None:
    value = await db.fetchval(GET_STATE_SQL, *key.params())
    return None if value is None else str(value)


async def set_data(db: Executor, key: FsmKey, data: dict[str, Any]) -> None:
    await db.execute(SET_DATA_SQL, *key.params(), data)  # the pool's jsonb codec encodes it
    if not data:
        await db.execute(PRUNE_SQL, *key.params())


async def get_data(db: Executor, key: FsmKey) -> dict[str, Any]:
    value = await db.fetchval(GET_DATA_SQL, *key.params())
    return {} if value is None else dict(value)
