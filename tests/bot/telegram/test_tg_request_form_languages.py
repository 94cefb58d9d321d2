"""The /request form on Telegram speaks the caller's language: a Russian app gets the picker, every
question, the Skip button, the toasts and the summary in Russian; a Chinese one in Chinese."""

from __future__ import annotations

from tests.bot.telegram.conftest import USER_TG, Tg

OWNER = "owner@example.com"


async def test_a_russian_app_gets_the_request_form_in_russian(tg: Tg) -> None:
    tg.fake.language_codes[USER_TG] = "ru"
    await tg.user(OWNER, telegram=USER_TG)
    picker = await tg.reply(USER_TG, "/request")
    assert "Новая заявка" in picker.text and "Что вам нужно?" in picker.text
    assert [b["text"] for b in picker.buttons] == ["Новая нода", "Поддержка", "Другое", "✖ Отмена"]

    [gpu] = await tg.click(USER_TG, picker, "Новая нода")
    assert gpu.text == "Какой тип GPU? (например, H100, H200, A100)"
    assert [b["text"] for b in gpu.buttons] == ["✖ Отмена"]  # a required question has no Skip
    quantity = await tg.reply(USER_TG, "H100")
    assert quantity.text.startswith("Сколько GPU / серверов?")
    region = await tg.reply(USER_TG, "4")
    assert region.text.startswith("Какой регион?")
    budget = await tg.reply(USER_TG, "Europe")
    assert budget.text == "Ваш бюджет? (необязательно: отправьте - или нажмите «Пропустить»)"

    before = {c.params["callback_query_id"] for c in tg.fake.calls_of("answerCallbackQuery")}
    [comments] = await tg.click(USER_TG, budget, "Пропустить")
    toasts = [
        c.params.get("text")
        for c in tg.fake.calls_of("answerCallbackQuery")
        if c.params["callback_query_id"] not in before
    ]
    assert toasts == ["Пропущено"]
    assert comments.text.startswith("Что ещё нам стоит знать?")

    summary = await tg.reply(USER_TG, "-")
    assert "Отправить эту заявку?" in summary.text
    assert "Тип GPU: H100" in summary.text and "Количество: 4" in summary.text
    assert "Регион: Europe" in summary.text and "Бюджет: —" in summary.text
    assert [b["text"] for b in summary.buttons] == ["✔ Отправить", "✖ Отмена"]
    await tg.click(USER_TG, summary, "Отправить")
    assert await tg.pool.fetchval("SELECT gpu_type FROM support_requests") == "H100"
    assert (await tg.reply(USER_TG, "/cancel")).text == "Отменять нечего."


async def test_a_chinese_app_gets_the_support_question_and_the_cancel_in_chinese(tg: Tg) -> None:
    tg.fake.language_codes[USER_TG] = "zh-hans"
    await tg.user(OWNER, telegram=USER_TG)
    question = await tg.reply(USER_TG, "/request support")
    assert question.text == "请描述问题：哪个节点、出现了什么情况、从什么时候开始。"
    cancelled = await tg.reply(USER_TG, "/cancel")
    assert cancelled.text == "申请已取消，未发送任何内容。"
    assert await tg.pool.fetchval("SELECT count(*) FROM support_requests") == 0
