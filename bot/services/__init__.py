"""The command core shared by the CLI, Telegram and Discord. No aiogram or discord.py imports here."""
