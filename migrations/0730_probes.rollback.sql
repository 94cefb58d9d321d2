-- Undo 0730_probes.
DROP TABLE IF EXISTS probe_results;
