"""Routes of the demonstration-base programme (示范基地)."""

from django.urls import path

from shangmi.apps.bases.views import applications, bureau, documents, targets

app_name = "bases"

urlpatterns = [
    path("", applications.application_list, name="list"),
    path("new/", applications.application_new, name="new"),
    path("published/", documents.published_list, name="published"),
    path("<int:application_id>/", applications.application_detail, name="detail"),
    path("<int:application_id>/edit/", applications.application_edit, name="edit"),
    path("<int:application_id>/submit/", applications.application_submit, name="submit"),
    path("<int:application_id>/withdraw/", applications.application_withdraw, name="withdraw"),
    path("<int:application_id>/review/", bureau.review, name="review"),
    path("<int:application_id>/accept/", bureau.accept, name="accept"),
    path("<int:application_id>/attachments/", bureau.attach, name="attach"),
    path("attachments/<int:attachment_id>/", bureau.attachment_download, name="attachment"),
    path("<int:application_id>/notice/", bureau.notice, name="notice"),
    path("<int:application_id>/objections/", bureau.objection, name="objection"),
    path("objections/<int:objection_id>/resolve/", bureau.objection_resolve, name="objection_resolve"),
    path("<int:application_id>/recognise/", bureau.recognise, name="recognise"),
    path("<int:application_id>/annual-review/", bureau.annual_review, name="annual_review"),
    path("<int:application_id>/revoke/", bureau.revoke, name="revoke"),
    path("<int:application_id>/docx/", documents.application_docx, name="application_docx"),
    path("lists/notice.docx", documents.list_file, {"which": "notice", "fmt": "docx"}, name="notice_docx"),
    path("lists/notice.xlsx", documents.list_file, {"which": "notice", "fmt": "xlsx"}, name="notice_xlsx"),
    path(
        "lists/recognition.docx",
        documents.list_file,
        {"which": "recognition", "fmt": "docx"},
        name="recognition_docx",
    ),
    path(
        "lists/recognition.xlsx",
        documents.list_file,
        {"which": "recognition", "fmt": "xlsx"},
        name="recognition_xlsx",
    ),
    path("targets/", targets.targets_page, name="targets"),
    path("targets/template.xlsx", targets.targets_template, name="targets_template"),
    path("targets/export.xlsx", targets.targets_export, name="targets_export"),
]
