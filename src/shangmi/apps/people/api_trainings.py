"""API of the people side: trainings."""

from ninja import Router

router = Router(tags=["people"])
