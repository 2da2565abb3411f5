from django.urls import path

from shangmi.apps.ops import views

app_name = "ops"

urlpatterns = [path("health/", views.health, name="health")]
