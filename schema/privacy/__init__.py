"""The privacy domain of the API: PII marking, consent, preferences, self-service, audit."""
