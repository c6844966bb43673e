"""Business parameters of the metrics: configured per deployment, passed in by the caller."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class MetricParams:
    """Configured inputs of the calculators (model constants live next to their model instead).

    `fx_rates` maps a currency to the factor that converts one unit of it into `currency`;
    orders in a currency with no rate are left out of money metrics and counted in details.
    """

    currency: str = "EUR"
    fx_rates: Mapping[str, float] = field(default_factory=dict)
    gross_margin: float = 0.3
    cost_per_ticket: float = 15.0
    annual_retention: float = 0.6
    annual_discount_rate: float = 0.1
    survey_window_days: float = 365.0
    frequency_window_days: float = 365.0
    spend_trend_window_days: float = 180.0
    default_purchase_gap_days: float = 90.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.gross_margin <= 1.0:
            raise ValueError("gross_margin must be within 0-1")
        if not 0.0 <= self.annual_retention < 1.0:
            raise ValueError("annual_retention must be within 0 (inclusive) and 1 (exclusive)")
        if self.annual_discount_rate < 0.0 or self.cost_per_ticket < 0.0:
            raise ValueError("annual_discount_rate and cost_per_ticket must not be negative")
        windows = (
            self.survey_window_days,
            self.frequency_window_days,
            self.spend_trend_window_days,
            self.default_purchase_gap_days,
        )
        if min(windows) <= 0.0:
            raise ValueError("windows and the default purchase gap must be positive")

    def rate_for(self, currency: str) -> float | None:
        """The factor into the reporting currency, or None when `currency` cannot be converted."""
        if currency == self.currency:
            return 1.0
        return self.fx_rates.get(currency)
