-- earnings_history rows written before the epoch ledger copied the last settled epoch's income into
-- every UTC day. A row is rebuilt as the exact sum of the node's epochs that settled that day where
-- the ledger allows: the day lies within the ledger (from the node's first settled epoch to the last
-- epoch recorded for anyone) and the node has a row for every epoch that settled that day (none
-- settled: 0). Every other row is left as it was. Each row examined is listed in earnings_history_corrections with its outcome, and a
-- NOTICE says how many rows were corrected, added and left uncorrected.
-- depends: 0700_epoch_ledger

CREATE TABLE earnings_history_corrections (
    node_id      UUID NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
    date         DATE NOT NULL,
    old_gnk      DECIMAL(20, 8),                    -- NULL: the row was added
    new_gnk      DECIMAL(20, 8),                    -- NULL: left as it was
    outcome      VARCHAR(20) NOT NULL
                 CHECK (outcome IN ('corrected', 'unchanged', 'added', 'uncorrectable')),
    reason       TEXT,
    corrected_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (node_id, date)
);

WITH span AS (
    SELECT e.node_id, min(s.settled_day) AS first_day,
           (SELECT max(settled_day) FROM settled_epochs) AS last_day
    FROM node_epoch_earnings e JOIN settled_epochs s USING (epoch_id)
    GROUP BY e.node_id
),
ledger_day AS (
    SELECT e.node_id, s.settled_day AS date, sum(e.income_ngonka) AS ngonka
    FROM node_epoch_earnings e JOIN settled_epochs s USING (epoch_id)
    GROUP BY e.node_id, s.settled_day
),
examined AS (
    SELECT h.node_id, h.date, h.earnings_gnk AS old_gnk, sp.node_id IS NOT NULL AS has_ledger,
           h.date BETWEEN sp.first_day AND sp.last_day AS in_span,
           (SELECT string_agg(s.epoch_id::text, ', ' ORDER BY s.epoch_id)
            FROM settled_epochs s
            WHERE s.settled_day = h.date
              AND NOT EXISTS (SELECT 1 FROM node_epoch_earnings e
                              WHERE e.node_id = h.node_id AND e.epoch_id = s.epoch_id)) AS missing,
           trunc(COALESCE(l.ngonka, 0) / 1000000000, 8) AS new_gnk
    FROM earnings_history h
    LEFT JOIN span sp ON sp.node_id = h.node_id
    LEFT JOIN ledger_day l ON l.node_id = h.node_id AND l.date = h.date
)
INSERT INTO earnings_history_corrections (node_id, date, old_gnk, new_gnk, outcome, reason)
SELECT node_id, date, old_gnk,
       CASE WHEN has_ledger AND in_span AND missing IS NULL THEN new_gnk END,
       CASE WHEN NOT has_ledger OR NOT in_span OR missing IS NOT NULL THEN 'uncorrectable'
            WHEN new_gnk = old_gnk THEN 'unchanged'
            ELSE 'corrected' END,
       CASE WHEN NOT has_ledger THEN 'no settled epoch of this node in the ledger'
            WHEN NOT in_span THEN 'outside the ledger (before this node''s first settled epoch or after the last)'
            WHEN missing IS NOT NULL THEN 'the ledger lacks this node''s income of epoch(s) ' || missing END
FROM examined;

UPDATE earnings_history h
SET earnings_gnk = c.new_gnk
FROM earnings_history_corrections c
WHERE c.outcome = 'corrected' AND h.node_id = c.node_id AND h.date = c.date;

-- days of the ledger without a row (an epoch that settled on a day the bot wrote nothing for)
WITH ledger_day AS (
    SELECT e.node_id, s.settled_day AS date, sum(e.income_ngonka) AS ngonka,
           (array_agg(e.source ORDER BY e.epoch_id DESC))[1] AS source
    FROM node_epoch_earnings e JOIN settled_epochs s USING (epoch_id)
    GROUP BY e.node_id, s.settled_day
),
added AS (
    INSERT INTO earnings_history (node_id, date, earnings_gnk, source)
    SELECT l.node_id, l.date, trunc(l.ngonka / 1000000000, 8), l.source
    FROM ledger_day l
    WHERE NOT EXISTS (SELECT 1 FROM earnings_history h WHERE h.node_id = l.node_id AND h.date = l.date)
    RETURNING node_id, date, earnings_gnk
)
INSERT INTO earnings_history_corrections (node_id, date, old_gnk, new_gnk, outcome)
SELECT node_id, date, NULL, earnings_gnk, 'added' FROM added;

DO $$
DECLARE
    n_corrected BIGINT;
    n_added BIGINT;
    n_unchanged BIGINT;
    n_left BIGINT;
BEGIN
    SELECT count(*) FILTER (WHERE outcome = 'corrected'), count(*) FILTER (WHERE outcome = 'added'),
           count(*) FILTER (WHERE outcome = 'unchanged'), count(*) FILTER (WHERE outcome = 'uncorrectable')
    INTO n_corrected, n_added, n_unchanged, n_left
    FROM earnings_history_corrections;
    RAISE NOTICE 'earnings_history from the epoch ledger: % row(s) corrected, % added, % already exact, '
                 '% left as they were (the ledger does not cover them; see earnings_history_corrections)',
                 n_corrected, n_added, n_unchanged, n_left;
END
$$;
