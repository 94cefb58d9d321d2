-- Undo 0701_earnings_history_correction: the corrected rows get their old values back, added rows go.
UPDATE earnings_history h
SET earnings_gnk = c.old_gnk
FROM earnings_history_corrections c
WHERE c.outcome = 'corrected' AND h.node_id = c.node_id AND h.date = c.date;
DELETE FROM earnings_history h
USING earnings_history_corrections c
WHERE c.outcome = 'added' AND h.node_id = c.node_id AND h.date = c.date;
DROP TABLE IF EXISTS earnings_history_corrections;
