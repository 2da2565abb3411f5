from django.urls import path

from shangmi.apps.ops import views

app_name = "ops"

urlpatterns = [
    path("health/", views.health, name="health"),
    path("health/ping/", views.ping_start, name="ping_start"),
    path("health/ping/<uuid:result_id>/", views.ping_status, name="ping_status"),
]
