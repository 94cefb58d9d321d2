"""The Telegram frontend as Telegram would drive it: the real aiogram Bot and Dispatcher polling the
local fake Bot API server, over a real PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest_asyncio

from bot.alerts.delivery.telegram import TelegramSender
from bot.alerts.delivery.worker import DeliveryWorker
from bot.config import Config, load_config
from bot.db import users as users_db
from bot.db.types import Pool
from bot.metrics import Metrics
from bot.services.container import Services
from bot.services.provisioning import add_user, issue_link_code
from bot.telegram.component import TelegramBot
from tests.fakes.telegram_api import FakeMessage, FakeTelegram

ADMIN_TG = 900001
USER_TG = 700001


def telegram_config(
    db_url: str, fake: FakeTelegram, *, admin_chat: int | None = None, **telegram: Any
) -> Config:
    return load_config(
        None,
        database={"url": db_url, "migrate_on_start": False},
        http={"host": "127.0.0.1", "port": 0},
        accounts={"bcrypt_rounds": 4},
        alerts={
            "admin_telegram_chat_ids": [] if admin_chat is None else [admin_chat],
            "outbox_poll_interval_s": 0.2,
        },
        # replies to one chat are paced at Telegram's 1/s after a burst of three, 20 a minute in a group:
        # tests converse faster (the pacing has its own tests in tests/bot/alerts/test_telegram_limits.py)
        telegram={
            "token": fake.token,
            "api_base": fake.base_url,
            "per_chat_rate_per_s": 1000.0,
            "per_group_rate_per_min": 60_000.0,
            **telegram,
        },
        # tests drive a user faster than a person: the per-person limits are tested in test_tg_flood.py
        limits={"actions_burst": 100_000},
    )


@dataclass
class Tg:
    """One running bot and the knobs a test needs."""

    fake: FakeTelegram
    pool: Pool
    config: Config
    services: Services
    component: TelegramBot
    metrics: Metrics

    async def say(
        self, user_id: int, text: str, *, chat_id: int | None = None, expect: int = 1
    ) -> list[FakeMessage]:
        """The user sends ``text``; returns the ``expect`` new bot messages in that chat."""
        chat = user_id if chat_id is None else chat_id
        before = len(self.fake.sent_to(chat, include_deleted=True))
        self.fake.message(user_id, text, chat_id=chat_id)
        await self.fake.wait_until(
            lambda: len(self.fake.sent_to(chat, include_deleted=True)) >= before + expect,
            what=f"{expect} replies to {text!r} in {chat}",
        )
        return self.fake.sent_to(chat, include_deleted=True)[before:]

    async def reply(self, user_id: int, text: str, *, chat_id: int | None = None) -> FakeMessage:
        [answer] = await self.say(user_id, text, chat_id=chat_id)
        return answer

    async def click(
        self, user_id: int, msg: FakeMessage, label: str, *, expect: int = 1
    ) -> list[FakeMessage]:
        """Press a button; waits for the query to be answered and ``expect`` new messages in the chat."""
        before = len(self.fake.sent_to(msg.chat_id, include_deleted=True))
        query = self.fake.click(user_id, msg, label)
        await self.fake.wait_until(
            lambda: query not in self.fake.unanswered_callbacks(), what=f"answer to {label}"
        )
        await self.fake.wait_until(
            lambda: len(self.fake.sent_to(msg.chat_id, include_deleted=True)) >= before + expect,
            what=f"{expect} messages after pressing {label}",
        )
        return self.fake.sent_to(msg.chat_id, include_deleted=True)[before:]

    def answer_of(self, query_id: str) -> dict[str, Any]:
        return next(
            c.params
            for c in self.fake.calls_of("answerCallbackQuery")
            if c.params["callback_query_id"] == query_id
        )

    async def user(
        self, email: str, *, telegram: int | None = None, admin: bool = False, password: str = "pw-secret"
    ) -> users_db.User:
        user = await add_user(self.pool, email, password, admin=admin, rounds=4)
        if telegram is not None:
            user = await users_db.link_identity(self.pool, user.id, "telegram", str(telegram))
        return user

    async def link_code(self, email: str) -> str:
        return (await issue_link_code(self.pool, email, 900)).code


@contextlib.asynccontextmanager
async def running(fake: FakeTelegram, pool: Pool, config: Config) -> AsyncIterator[Tg]:
    services = Services.build(pool, config)
    metrics = Metrics()
    component = TelegramBot(config, pool, services, metrics, polling_timeout_s=1)
    task = asyncio.create_task(component.run())
    try:
        await asyncio.wait_for(component.ready.wait(), 10)
        yield Tg(fake=fake, pool=pool, config=config, services=services, component=component, metrics=metrics)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await services.aclose()


@pytest_asyncio.fixture
async def tg(telegram_api: FakeTelegram, pool: Pool, db_url: str) -> AsyncIterator[Tg]:
    config = telegram_config(db_url, telegram_api, admin_ids=[])
    async with running(telegram_api, pool, config) as harness:
        yield harness


@contextlib.asynccontextmanager
async def running_with_delivery(fake: FakeTelegram, pool: Pool, config: Config) -> AsyncIterator[Tg]:
    """The bot polling, plus the outbox delivery worker sending through the same fake server."""
    async with running(fake, pool, config) as tg:
        worker = DeliveryWorker(pool, TelegramSender(config.telegram), config.alerts)
        task = asyncio.create_task(worker.run())
        try:
            await asyncio.wait_for(worker.ready.wait(), 10)
            yield tg
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
