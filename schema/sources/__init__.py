"""The Customer fields and types whose data lives in source systems (ERP, CRM, survey tool,
support desk), their per-system status, and the errors of sources that failed."""
