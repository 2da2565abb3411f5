from django.urls import path, re_path

from shangmi.apps.evidence import log_http

app_name = "log"

urlpatterns = [
    path("checkpoint", log_http.checkpoint, name="checkpoint"),
    path("vkey", log_http.vkey, name="vkey"),
    re_path(r"^(?P<path>tile/[0-9a-z./]+)$", log_http.tile, name="tile"),
]
