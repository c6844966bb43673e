"""Free-text customer search in the API."""
