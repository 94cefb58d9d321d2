"""One person flooding the Discord bot with commands: their burst is answered, one "slow down"
(ephemeral), the rest gets no answer; another person is answered meanwhile."""

from __future__ import annotations

import asyncio

from bot.config import LimitsConfig
from bot.services.container import Services
from bot.services.throttle import Verdict
from tests.bot.discord.conftest import Harness, text

FLOOD = 30
BURST = 3


async def test_a_flooder_gets_one_slow_down_and_the_others_are_answered(harness: Harness) -> None:
    limits = LimitsConfig(actions_burst=BURST)
    harness.config = harness.config.model_copy(update={"limits": limits})
    harness.services = Services.build(harness.pool, harness.config)
    await harness.start()
    flooder, other = harness.user("flooder"), harness.user("other")
    channel = harness.fake.guild.channel("general")
    flood = await asyncio.gather(*(harness.fake.slash(flooder, "help", channel) for _ in range(FLOOD)))
    answer = await (await harness.fake.slash(other, "help", channel)).reply()
    assert "link" in text(answer)

    throttle = harness.services.throttle
    async with asyncio.timeout(15):  # every flooded interaction has reached the bot
        while sum(throttle.refused.values()) < FLOOD - BURST:
            await asyncio.sleep(0.05)
    await asyncio.sleep(0.2)
    answered = [ix for ix in flood if ix.callbacks]
    slow_downs = [ix for ix in answered if "faster than I can answer" in text(ix.callbacks[0][1])]
    assert len(answered) == BURST + 1
    assert len(slow_downs) == 1 and slow_downs[0].ephemeral
    assert throttle.refused == {Verdict.SLOW_DOWN: 1, Verdict.DROP: FLOOD - BURST - 1}
    await harness.services.aclose()


async def test_the_slow_down_comes_in_the_flooders_language(harness: Harness) -> None:
    harness.config = harness.config.model_copy(update={"limits": LimitsConfig(actions_burst=2)})
    harness.services = Services.build(harness.pool, harness.config)
    await harness.start()
    flooder = harness.user("flooder")
    await (await harness.fake.slash(flooder, "language", language="zh")).reply()
    await (await harness.fake.slash(flooder, "help")).reply()
    refused = await harness.fake.slash(flooder, "help")
    assert "你发送命令的速度超过了我的回复速度" in text(await refused.reply())
    assert refused.ephemeral
    await harness.services.aclose()
