"""Routes of the person page (timeline, records, dossier)."""

from django.urls import path

from shangmi.apps.people.views import dossier, person

urlpatterns = [
    path("<int:employee_id>/", person.employee, name="employee"),
    path("<int:employee_id>/dossier.zip", dossier.dossier, name="dossier"),
    path("events/<int:person_event_id>/record.json", person.event_record, name="event_record"),
    path("events/<int:person_event_id>/receipt", person.event_receipt, name="event_receipt"),
]
