-- Undo 0790_channel_mutes.
DROP TABLE IF EXISTS channel_mutes;
