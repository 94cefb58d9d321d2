"""Clients for the Gonka tracker sources: ``hyperfusion``, ``gonka_api`` and the disabled ``hashiro``.

Every failure surfaces as a subclass of :class:`integrations.errors.SourceError` (itself a
:class:`bot.errors.TrackerError`); no aiohttp exception leaves this package.
"""
