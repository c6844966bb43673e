"""Data quality: KPIs over the whole store, and a quality summary per customer."""
