"""The PostgreSQL FSM storage keeps aiogram conversation state per bot, chat, user, thread and destiny."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey

from bot.db.types import Pool
from bot.telegram.fsm_storage import PostgresStorage


class Form(StatesGroup):
    step = State()


async def test_state_and_data_round_trip_and_clearing_removes_the_row(pool: Pool) -> None:
    storage = PostgresStorage(pool)
    key = StorageKey(bot_id=42, chat_id=7, user_id=7)
    other = StorageKey(bot_id=42, chat_id=-100, user_id=7, thread_id=5)
    assert await storage.get_state(key) is None and await storage.get_data(key) == {}
    await storage.set_state(key, Form.step)
    await storage.set_data(key, {"type": "support", "answers": {"quantity": 4, "budget": None}})
    await storage.set_state(other, "Form:other")
    assert await storage.get_state(key) == "Form:step"
    assert await storage.update_data(key, {"step": 1}) == {
        "type": "support",
        "answers": {"quantity": 4, "budget": None},
        "step": 1,
    }
    assert await PostgresStorage(pool).get_data(key) == await storage.get_data(key)  # another replica sees it
    assert await storage.get_state(other) == "Form:other"
    await storage.set_state(key, None)
    await storage.set_data(key, {})
    assert await pool.fetchval("SELECT count(*) FROM telegram_fsm WHERE chat_id = 7") == 0
    assert await pool.fetchval("SELECT count(*) FROM telegram_fsm") == 1
