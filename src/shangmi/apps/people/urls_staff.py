"""Routes of the people side: staff (employees, departments, positions, HR import)."""

from django.urls import path

from shangmi.apps.people.views import staff_list

urlpatterns = [
    path("", staff_list.employees, name="employees"),
]
