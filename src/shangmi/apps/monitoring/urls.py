"""Routes of monitoring (风险监测)."""

from django.urls import path

from shangmi.apps.monitoring.views import alerts, dashboard, sources

app_name = "monitoring"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("score/", dashboard.score_now, name="score"),
    path("alerts/", alerts.alert_list, name="alerts"),
    path("alerts/<int:alert_id>/", alerts.alert_detail, name="alert"),
    path("alerts/<int:alert_id>/assign/", alerts.alert_assign, name="alert_assign"),
    path("alerts/<int:alert_id>/dismiss/", alerts.alert_dismiss, name="alert_dismiss"),
    path("alerts/<int:alert_id>/escalate/", alerts.alert_escalate, name="alert_escalate"),
    path("alerts/<int:alert_id>/reopen/", alerts.alert_reopen, name="alert_reopen"),
    path("sources/", sources.source_list, name="sources"),
    path("sources/<int:source_id>/upload/", sources.upload, name="upload"),
    path("settings/", sources.settings_page, name="settings"),
]
