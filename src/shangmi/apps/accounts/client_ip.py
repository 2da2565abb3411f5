"""The client's address as seen through SHANGMI_PROXY_COUNT trusted reverse proxies.

Each trusted proxy appends the address it received the request from to X-Forwarded-For, so with N
proxies the client is the N-th entry from the right; anything further left was written by the client
and is ignored (the same rule as Werkzeug's ProxyFix). With no proxies, REMOTE_ADDR is the client.
When proxies are configured but the header is shorter than that, the address is unknown (None):
recording the proxy's own address as the client's would be wrong.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    if request is None:
        return None
    meta = request.META
    proxies = getattr(settings, "PROXY_COUNT", 0)
    if proxies > 0:
        hops = [h for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        return _valid(hops[-proxies]) if len(hops) >= proxies else None
    return _valid(meta.get("REMOTE_ADDR", ""))
