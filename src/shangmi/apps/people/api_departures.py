"""API of the people side: departures."""

from ninja import Router

router = Router(tags=["people"])
