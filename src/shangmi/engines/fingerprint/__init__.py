"""Normalisers per material kind, winnowing, index and match regions (issue 7)."""
