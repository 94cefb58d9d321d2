"""MineGNK Bot: Telegram and Discord node monitoring for Gonka GPU hosts."""

__version__ = "0.1.0"
