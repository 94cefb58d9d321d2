-- Undo 0700_epoch_ledger.
DROP TABLE IF EXISTS reward_estimates;
DROP TABLE IF EXISTS settled_epochs;
