"""Platform-neutral messages and their renderers (Telegram HTML, Discord embeds)."""
