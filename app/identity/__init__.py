"""Identity: normalization, blocking, scoring, linking, merge/unmerge and survivorship."""
