"""Routes of the people side: departures (离职审计)."""

from django.urls import path

from shangmi.apps.people.views import departure_detail, departures

urlpatterns = [
    path("departures/", departures.departure_list, name="departures"),
    path("<int:employee_id>/resign/", departure_detail.departure_resign, name="departure_resign"),
    path("departures/<int:departure_id>/", departure_detail.departure_detail, name="departure"),
    path(
        "departures/<int:departure_id>/letter.docx",
        departure_detail.departure_letter,
        name="departure_letter",
    ),
    path("departures/<int:departure_id>/close/", departure_detail.departure_close, name="departure_close"),
    path(
        "departure-items/<int:item_id>/complete/",
        departure_detail.item_complete,
        name="departure_item_complete",
    ),
    path("departure-items/<int:item_id>/file/", departure_detail.item_file, name="departure_item_file"),
]
