"""The tuning catalogue: pure judgements of a Snapshot (facts in, findings out)."""
