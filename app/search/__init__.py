"""Free-text customer search: a key index kept in step with writes, and ranked retrieval."""
