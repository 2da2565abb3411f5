"""Routes of forensics (鉴定辅助)."""

from django.urls import path

from shangmi.apps.forensics.views import home, scans

app_name = "forensics"

urlpatterns = [
    path("", home.home, name="home"),
    path("jobs/", home.jobs, name="jobs"),
    path("indexes/folder/", home.index_folder, name="index_folder"),
    path("indexes/upload/", home.index_upload, name="index_upload"),
    path("indexes/<int:index_id>/download/", home.index_download, name="index_download"),
    path("scans/", home.scan_start, name="scan_start"),
    path("scans/<int:scan_id>/", scans.scan_detail, name="scan"),
    path("scans/<int:scan_id>/progress/", scans.scan_progress, name="scan_progress"),
    path("scans/<int:scan_id>/result.json", scans.scan_result, name="scan_result"),
    path("scans/<int:scan_id>/deposit/", scans.scan_deposit, name="scan_deposit"),
    path("scans/<int:scan_id>/report/", scans.scan_report, name="scan_report_index"),
    path("scans/<int:scan_id>/report/<str:page>", scans.scan_report, name="scan_report"),
]
