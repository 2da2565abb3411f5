"""Routes of the 合理保密措施 dossier, included into the `assessment` namespace by assessment/urls.py."""

from django.urls import path

from shangmi.apps.assessment.views import dossier

urlpatterns = [
    path("dossier/<int:secret_id>/", dossier.dossier, name="dossier"),
    path("dossier/<int:secret_id>/docx/", dossier.dossier_docx_download, name="dossier_docx"),
    path("dossier/<int:secret_id>/zip/", dossier.dossier_zip_download, name="dossier_zip"),
]
