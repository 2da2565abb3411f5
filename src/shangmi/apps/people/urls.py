"""The people side's pages, one module of routes per concern: staff (employees, departments, positions,
HR import), agreements (and non-compete), departures (离职审计), trainings, onboarding and the person's
timeline and dossier."""

from django.urls import include, path

app_name = "people"

urlpatterns = [
    path("", include("shangmi.apps.people.urls_staff")),
    path("", include("shangmi.apps.people.urls_agreements")),
    path("", include("shangmi.apps.people.urls_departures")),
    path("", include("shangmi.apps.people.urls_trainings")),
    path("", include("shangmi.apps.people.urls_person")),
]
