"""Audit events, hash-chained per organisation; the chain head is later anchored in the evidence log."""
