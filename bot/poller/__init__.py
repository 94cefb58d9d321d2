"""The poll cycle: fetch each tracker's bulk payload once, map every watched node, write the cache."""
