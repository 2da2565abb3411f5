"""Project URL map. Every route is login-required unless its view is marked login_not_required."""

from django.conf.urls.i18n import set_language
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView

from shangmi import views
from shangmi.api import api_urls
from shangmi.apps.evidence import views_web as evidence_web

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("accounts/", include("shangmi.apps.accounts.urls")),
    path("audit/", include("shangmi.apps.audit.urls")),
    path("ops/", include("shangmi.apps.ops.urls")),
    path("evidence/", include("shangmi.apps.evidence.urls")),
    path("registry/", include("shangmi.apps.registry.urls")),
    path("people/", include("shangmi.apps.people.urls")),
    path("assessment/", include("shangmi.apps.assessment.urls")),
    path("monitoring/", include("shangmi.apps.monitoring.urls")),
    path("forensics/", include("shangmi.apps.forensics.urls")),
    path("bases/", include("shangmi.apps.bases.urls")),
    path("log/", include("shangmi.apps.evidence.urls_log")),
    path("verify/", evidence_web.verify, name="verify"),
    path("api/v1/", api_urls()),
    path(
        "api/docs", login_not_required(RedirectView.as_view(pattern_name="api:openapi-view")), name="api_docs"
    ),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]

handler403 = "shangmi.views.error_403"
handler404 = "shangmi.views.error_404"
handler500 = "shangmi.views.error_500"
