"""95% confidence intervals for proportions, a difference of proportions, and a mean.

Pure Python on purpose: per-customer inputs are a handful of answers, where numpy's call
overhead costs more than the arithmetic.
"""

from __future__ import annotations

import math

Z_95 = 1.959963984540054

# Student's t 0.975 quantiles for 1-30 degrees of freedom (scipy.stats.t.ppf, 9 decimals).
_T_975 = (
    12.706204736, 4.30265273, 3.182446305, 2.776445105, 2.570581836,
    2.446911851, 2.364624252, 2.306004135, 2.262157163, 2.228138852,
    2.20098516, 2.17881283, 2.160368656, 2.144786688, 2.131449546,
    2.119905299, 2.109815578, 2.10092204, 2.093024054, 2.085963447,
    2.079613845, 2.073873068, 2.06865761, 2.063898562, 2.059538553,
    2.055529439, 2.051830516, 2.048407142, 2.045229642, 2.042272456,
)  # fmt: skip


def t_quantile_975(df: int) -> float:
    """Student's t 0.975 quantile; a table to 30 df, then the Cornish-Fisher expansion."""
    if df < 1:
        raise ValueError("degrees of freedom must be at least 1")
    if df <= len(_T_975):
        return _T_975[df - 1]
    z = Z_95
    return (
        z
        + (z**3 + z) / (4 * df)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3)
    )


def wilson_interval(successes: int, n: int) -> tuple[float, float]:
    """Wilson score interval for a proportion: stays within 0-1 and is not empty at p=0 or p=1."""
    p = successes / n
    z2 = Z_95 * Z_95
    denominator = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = Z_95 * math.sqrt(p * (1.0 - p) / n + z2 / (4 * n * n)) / denominator
    # At p = 0 or 1 the bound is exactly 0 or 1 in theory; rounding would leave 1e-15.
    low = 0.0 if successes == 0 else centre - half
    high = 1.0 if successes == n else centre + half
    return low, high


def difference_interval(p_plus: float, p_minus: float, n: int) -> tuple[float, float]:
    """Wald interval for p_plus - p_minus, two proportions of one trinomial sample.

    Var = (p_plus + p_minus - (p_plus - p_minus)^2) / n; the result is clamped to -1..1.
    """
    d = p_plus - p_minus
    half = Z_95 * math.sqrt(max(0.0, p_plus + p_minus - d * d) / n)
    return max(-1.0, d - half), min(1.0, d + half)


def mean_interval(
    values: list[int], low: float, high: float
) -> tuple[float, float | None, float | None]:
    """Mean with a t interval (sample sd, n-1 df) clamped to the scale; no interval below n=2."""
    n = len(values)
    mean = sum(values) / n
    if n < 2:
        return mean, None, None
    variance = sum((v - mean) ** 2 for v in values) / (n - 1)
    half = t_quantile_975(n - 1) * math.sqrt(variance / n)
    return mean, max(low, mean - half), min(high, mean + half)
