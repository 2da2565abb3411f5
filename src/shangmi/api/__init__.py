"""The HTTP API under /api/v1: one NinjaAPI, one error schema, token or session auth."""

from shangmi.api.root import api, api_urls

__all__ = ["api", "api_urls"]
