"""Privacy: principals and roles (`policy.py` is the one place for them), authentication, consent,
masking, audit, and data subject requests (export, erasure, the suppression list)."""
