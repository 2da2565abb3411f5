from django.urls import path

from shangmi.apps.evidence import views, views_web

app_name = "evidence"

urlpatterns = [
    path("", views.deposit_list, name="list"),
    path("new/", views_web.deposit_new, name="new"),
    path("<int:deposit_id>/receipt/", views.deposit_receipt, name="receipt"),
]
