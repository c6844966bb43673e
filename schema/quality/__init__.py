"""Data-quality KPIs and per-customer quality in the API."""
