"""Syncing the slash-command tree only when it changed.

The canonical JSON of the tree (what ``tree.sync`` would PUT) is hashed and compared with the hash
stored in ``discord_command_sync`` for this application and scope (a guild id from
``discord.guild_id``, else ``global``). Equal: no call to Discord. Different: one bulk overwrite (Discord
diffs it: unchanged commands keep their ids) and the new hash is stored. An advisory lock serialises
replicas that start together, so they sync once between them.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

import discord
from discord import app_commands

from bot.db import discord_sync as sync_db
from bot.db.types import Pool

log = logging.getLogger(__name__)


async def tree_payload(
    tree: app_commands.CommandTree[Any], guild: discord.abc.Snowflake | None
) -> list[dict[str, Any]]:
    """The commands as ``tree.sync(guild=...)`` sends them (with the translator's localizations),
    sorted by name: a new translation changes the hash and is synced."""
    commands = tree.get_commands(guild=guild)
    translator = tree.translator
    if translator is None:
        payload = [command.to_dict(tree) for command in commands]
    else:
        payload = [await command.get_translated_payload(tree, translator) for command in commands]
    return sorted(payload, key=lambda c: (str(c.get("type", 1)), str(c["name"])))


def payload_hash(payload: list[dict[str, Any]]) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def sync_if_changed(
    tree: app_commands.CommandTree[Any], pool: Pool, application_id: int, guild_id: int | None
) -> bool:
    """Sync the tree to ``guild_id`` (or globally) unless the stored hash matches; True when synced."""
    guild = discord.Object(id=guild_id) if guild_id is not None else None
    if guild is not None:
        tree.copy_global_to(guild=guild)
    payload = await tree_payload(tree, guild)
    digest = payload_hash(payload)
    app = str(application_id)
    scope = str(guild_id) if guild_id is not None else "global"
    async with pool.acquire() as conn, conn.transaction():
        await sync_db.lock_application(conn, app)
        stored = await sync_db.get_synced(conn, app, scope)
        if stored is not None and stored.payload_hash == digest:
            log.info(
                "command tree unchanged (%d commands, %s): not syncing",
                len(payload),
                scope,
                extra={"platform": "discord"},
            )
            return False
        synced = await tree.sync(guild=guild)
        await sync_db.set_synced(conn, app, scope, digest, len(synced))
    log.info("synced %d commands to %s", len(synced), scope, extra={"platform": "discord"})
    return True
