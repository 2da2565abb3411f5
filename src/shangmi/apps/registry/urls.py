"""The register's pages, one module of routes per concern: the register and its lifecycle forms,
Excel/Word files, and marking (labels, QR proof page)."""

from django.urls import include, path

app_name = "registry"

urlpatterns = [
    path("", include("shangmi.apps.registry.urls_register")),
    path("", include("shangmi.apps.registry.urls_files")),
    path("", include("shangmi.apps.registry.urls_marking")),
]
