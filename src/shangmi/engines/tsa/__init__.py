"""RFC 3161 timestamp requests, responses and token verification (issue 3)."""
