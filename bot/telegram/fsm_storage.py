"""An aiogram FSM storage in PostgreSQL, so every webhook replica sees the same conversation state."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey

from bot.db import telegram_fsm as fsm_db
from bot.db.types import Pool


def _key(key: StorageKey) -> fsm_db.FsmKey:
    return fsm_db.FsmKey(
        bot_id=key.bot_id,
        chat_id=key.chat_id,
        user_id=key.user_id,
        thread_id=key.thread_id or 0,
        destiny=key.destiny,
    )


class PostgresStorage(BaseStorage):
    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await fsm_db.set_state(self._pool, _key(key), value)

    async def get_state(self, key: StorageKey) -> str | None:
        return await fsm_db.get_state(self._pool, _key(key))

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await fsm_db.set_data(self._pool, _key(key), dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return await fsm_db.get_data(self._pool, _key(key))

    async def close(self) -> None:
        """The pool belongs to the composition root; nothing to close here."""
