"""The HTTP API under /api/v1: one NinjaAPI, one error schema, token or session auth."""

from shangmi.api.root import api

__all__ = ["api"]
