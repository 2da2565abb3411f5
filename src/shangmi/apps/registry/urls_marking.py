"""Routes: marking text and printable labels with a QR code, and the public page the QR leads to."""

from django.urls import path

from shangmi.apps.registry.views import marking

urlpatterns = [
    path("carriers/<int:carrier_id>/label/", marking.carrier_label, name="carrier_label"),
    path("<int:secret_id>/labels/", marking.secret_labels, name="labels"),
    path("l/<str:token>/", marking.label_proof, name="label_proof"),
]
