"""Routes of the people side: agreements (协议), non-compete payments and decisions, external parties."""

from django.urls import path

from shangmi.apps.people.views import agreement_detail as detail
from shangmi.apps.people.views import agreements, parties

urlpatterns = [
    path("agreements/", agreements.agreement_list, name="agreements"),
    path("agreements/new/", agreements.agreement_new, name="agreement_new"),
    path("agreements/export.xlsx", agreements.agreement_export, name="agreements_export"),
    path("agreements/<int:agreement_id>/", detail.agreement_detail, name="agreement"),
    path("agreements/<int:agreement_id>/document.docx", detail.agreement_document, name="agreement_document"),
    path("agreements/<int:agreement_id>/scan/", detail.agreement_scan, name="agreement_scan"),
    path("agreements/<int:agreement_id>/send/", detail.agreement_send_view, name="agreement_send"),
    path("agreements/<int:agreement_id>/sign/", detail.agreement_sign_view, name="agreement_sign"),
    path(
        "agreements/<int:agreement_id>/terminate/",
        detail.agreement_terminate_view,
        name="agreement_terminate",
    ),
    path("agreements/<int:agreement_id>/payments/", detail.agreement_payments, name="agreement_payments"),
    path("agreements/<int:agreement_id>/decide/", detail.agreement_decide, name="agreement_decide"),
    path("parties/", parties.party_list, name="parties"),
    path("parties/new/", parties.party_new, name="party_new"),
    path("parties/<int:party_id>/edit/", parties.party_edit, name="party_edit"),
]
