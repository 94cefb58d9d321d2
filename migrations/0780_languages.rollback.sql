-- Undo 0780_languages.
DROP TABLE IF EXISTS chat_languages;
