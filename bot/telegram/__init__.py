"""The Telegram frontend (aiogram 3): thin adapters over :mod:`bot.services`.

``TelegramBot`` (``bot.telegram.component``) is the component the composition root runs; each feature
has its own router in ``bot.telegram.routers``; every reply is rendered by ``bot.render.telegram``.
"""
