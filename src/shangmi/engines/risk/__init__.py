"""Audit-event schema, loaders, indicators and columnar risk scoring (issue 8)."""
