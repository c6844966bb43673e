"""Source data as an app service: a customer's (or a page of customers') data of a kind across
every linked system, batched per system and kind, within budgets, cached, with each system's
status. GraphQL resolvers, the metric recompute and the data export all read through it."""

from __future__ import annotations

from app.sources.customer_sources import CustomerSources

__all__ = ["CustomerSources"]
