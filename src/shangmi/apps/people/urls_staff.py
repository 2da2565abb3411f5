"""Routes of the people side: staff (employees, departments, positions, HR import, settings)."""

from django.urls import path

from shangmi.apps.people.views import people_settings, staff_edit, staff_import, staff_list, staff_org

urlpatterns = [
    path("", staff_list.employees, name="employees"),
    path("export.xlsx", staff_list.export_xlsx, name="export_xlsx"),
    path("add/", staff_edit.employee_add_page, name="employee_add"),
    path("<int:employee_id>/edit/", staff_edit.employee_edit_page, name="employee_edit"),
    path("<int:employee_id>/employ/", staff_edit.employee_employ_page, name="employee_employ"),
    path("departments/", staff_org.departments, name="departments"),
    path("departments/<int:department_id>/edit/", staff_org.department_edit, name="department_edit"),
    path("positions/", staff_org.positions, name="positions"),
    path("positions/<int:position_id>/edit/", staff_org.position_edit, name="position_edit"),
    path("import/", staff_import.staff_import, name="import"),
    path("import/template/", staff_import.import_template, name="import_template"),
    path("settings/", people_settings.people_settings, name="settings"),
]
