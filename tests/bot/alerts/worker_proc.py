"""A Telegram delivery worker in its own process (for the kill -9 test): config from MINEGNK_* env."""

from __future__ import annotations

import asyncio
import sys

from bot.alerts.delivery.telegram import TelegramSender
from bot.alerts.delivery.worker import DeliveryWorker
from bot.config import load_config
from bot.db.pool import open_pool


async def main(worker: str) -> None:
    config = load_config(None)
    assert config.database.url is not None
    async with open_pool(config.database.url.get_secret_value(), min_size=1, max_size=4) as pool:
        delivery = DeliveryWorker(pool, TelegramSender(config.telegram), config.alerts, worker=worker)
        task = asyncio.create_task(delivery.run())
        await delivery.ready.wait()
        print("ready", flush=True)
        await task


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
