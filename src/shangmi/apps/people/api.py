"""The people side's API under /api/v1/people, one router per concern."""

from ninja import Router

from shangmi.apps.people.api_agreements import router as agreements_router
from shangmi.apps.people.api_departures import router as departures_router
from shangmi.apps.people.api_staff import router as staff_router
from shangmi.apps.people.api_trainings import router as trainings_router

router = Router(tags=["people"])
router.add_router("/", staff_router)
router.add_router("/", agreements_router)
router.add_router("/", departures_router)
router.add_router("/", trainings_router)
