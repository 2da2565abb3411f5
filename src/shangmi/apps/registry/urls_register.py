"""Routes: the register list, a secret's page and timeline downloads, the lifecycle forms, carriers,
access grants, the member's own grants and the register's settings."""

from django.urls import path

from shangmi.apps.registry.views import carriers, detail, grants, lifecycle, policy, register

urlpatterns = [
    path("", register.secret_list, name="list"),
    path("new/", lifecycle.secret_apply, name="apply"),
    path("mine/", grants.my_grants, name="mine"),
    path("acknowledgements/", grants.acknowledgements_pending, name="acknowledgements_pending"),
    path("settings/", policy.register_settings, name="settings"),
    path("<int:secret_id>/", detail.secret_detail, name="detail"),
    path("<int:secret_id>/review/", lifecycle.secret_review, name="review"),
    path("<int:secret_id>/approve/", lifecycle.secret_approve, name="approve"),
    path("<int:secret_id>/amend/", lifecycle.secret_amend, name="amend"),
    path("<int:secret_id>/declassify/", lifecycle.secret_declassify, name="declassify"),
    path("<int:secret_id>/carriers/new/", carriers.carrier_add, name="carrier_add"),
    path("carriers/<int:carrier_id>/mark/", carriers.carrier_mark, name="carrier_mark"),
    path("carriers/<int:carrier_id>/destroy/", carriers.carrier_destroy, name="carrier_destroy"),
    path("<int:secret_id>/grants/new/", grants.grant_add, name="grant_add"),
    path("grants/<int:grant_id>/revoke/", grants.grant_revoke, name="grant_revoke"),
    path("grants/<int:grant_id>/acknowledge/", grants.grant_acknowledge, name="grant_acknowledge"),
    path("events/<int:event_id>/record/", detail.event_record, name="event_record"),
    path("events/<int:event_id>/receipt/", detail.event_receipt, name="event_receipt"),
]
