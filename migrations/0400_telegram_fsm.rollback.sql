DROP TABLE IF EXISTS telegram_fsm;
