"""API of the people side: staff."""

from ninja import Router

router = Router(tags=["people"])
