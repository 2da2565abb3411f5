from django.urls import path

from shangmi.apps.evidence import views

app_name = "evidence"

urlpatterns = [
    path("", views.deposit_list, name="list"),
    path("<int:deposit_id>/receipt/", views.deposit_receipt, name="receipt"),
]
