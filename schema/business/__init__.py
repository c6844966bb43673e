"""Business metrics: acquisition records, the spend ledger, period metrics and cohorts."""
