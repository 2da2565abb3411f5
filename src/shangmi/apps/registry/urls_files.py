"""Routes: the register in Excel and Word (template, import with a row-level report, exports)."""

from django.urls import path

from shangmi.apps.registry.views import files

urlpatterns = [
    path("import/", files.register_import, name="import"),
    path("import/template.xlsx", files.import_template, name="import_template"),
    path("export.xlsx", files.export_xlsx, name="export_xlsx"),
    path("export.docx", files.export_docx, name="export_docx"),
]
