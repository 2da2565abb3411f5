"""API of the people side: agreements."""

from ninja import Router

router = Router(tags=["people"])
