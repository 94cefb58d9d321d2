"""The Discord frontend: discord.py 2 adapters over :mod:`bot.services` (built by :mod:`bot.app`).

Modules import ``discord`` (the library) absolutely; none of them is named ``discord.py``.
"""
