"""Routes of the people side: trainings and the onboarding overview."""

from django.urls import path

from shangmi.apps.people.views import onboarding, trainings

urlpatterns = [
    path("trainings/", trainings.training_list, name="trainings"),
    path("trainings/new/", trainings.training_add, name="training_add"),
    path("trainings/<int:training_id>/", trainings.training_detail, name="training"),
    path("trainings/<int:training_id>/edit/", trainings.training_edit, name="training_edit"),
    path("trainings/<int:training_id>/attendance/", trainings.attendance_add, name="training_attendance"),
    path("trainings/<int:training_id>/material/", trainings.training_material, name="training_material"),
    path("attendance/<int:attendance_id>/delete/", trainings.attendance_delete, name="attendance_delete"),
    path("onboarding/", onboarding.onboarding, name="onboarding"),
]
