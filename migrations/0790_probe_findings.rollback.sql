-- Undo 0790_probe_findings.
DROP TABLE IF EXISTS probe_findings_run;
DROP TABLE IF EXISTS probe_findings;
