-- Undo 0500_discord_command_sync.
DROP TABLE IF EXISTS discord_command_sync;
