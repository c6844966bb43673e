"""Business metrics from the store: where customers came from, what acquiring them cost, and
the period and cohort metrics built on both."""
