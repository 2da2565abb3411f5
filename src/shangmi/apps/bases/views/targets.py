"""The targets dashboard for bureaus: a year's target vs recognised vs in progress per district and level,
as a table and a chart; city and provincial bureaus import the notice's table here (every bad row shown,
nothing stored), download its template, and export the progress to Excel."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.bases import permissions, targets
from shangmi.apps.bases.actions.targets import MAX_YEAR, MIN_YEAR, can_set_targets, targets_import
from shangmi.apps.bases.documents.targets_xlsx import progress_xlsx, template_xlsx
from shangmi.apps.bases.models import BaseApplication, TargetLevel
from shangmi.apps.bases.queries import targets_of
from shangmi.apps.registry.forms.base import StyledForm
from shangmi.apps.registry.spreadsheets.writer import XLSX_CONTENT_TYPE

BUREAU = [OrgKind.REGULATOR]
SERIES = (
    ("target", gettext_lazy("目标"), "#9aa5b1"),
    ("recognised", gettext_lazy("已认定"), "#2e7d32"),
    ("in_progress", gettext_lazy("在途"), "#e0a100"),
)


class ImportForm(StyledForm):
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    file = forms.FileField(
        label=gettext_lazy("建设任务表（.xlsx 或 .csv）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


def _bureau(request):
    member = request.membership
    if not permissions.is_bureau(member):
        raise PermissionDenied
    return member


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or 0)
    except ValueError:
        year = 0
    return year if MIN_YEAR <= year <= MAX_YEAR else timezone.localdate().year


def _years(member, year: int) -> list[int]:
    """Years with targets or applications in the bureau's region, the current year and the shown one."""
    prefix = member.organisation.region.code_prefix
    found = set(targets_of(member).values_list("year", flat=True))
    found |= set(
        BaseApplication.objects.filter(district__code__startswith=prefix).values_list("year", flat=True)
    )
    today = timezone.localdate().year
    return sorted(found | {today, today + 1, year}, reverse=True)


def chart(result: targets.Progress, level: str) -> dict:
    """An ECharts option: per district, bars of target, recognised and in progress for one level."""
    names = [row.district.name for row in result.rows]
    series = []
    for key, label, colour in SERIES:
        values = [getattr(row.cells[level], key) for row in result.rows]
        if any(v is not None for v in values):
            series.append(
                {
                    "name": str(label),
                    "type": "bar",
                    "itemStyle": {"color": colour},
                    "data": [v or 0 for v in values],
                }
            )
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 40, "right": 16, "top": 16, "bottom": 40},
        "xAxis": {"type": "category", "data": names},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": series,
    }


@require_http_methods(["GET", "HEAD", "POST"])
@member_required(kinds=BUREAU)
def targets_page(request):
    member = _bureau(request)
    importer = can_set_targets(member)
    year = _year(request)
    problems: list = []
    form = ImportForm(initial={"year": year})
    if request.method == "POST":
        if not importer:
            raise PermissionDenied
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                created = targets_import(
                    member=member,
                    uploaded=form.cleaned_data["file"],
                    year=form.cleaned_data["year"],
                    request=request,
                )
            except targets.TargetsInvalid as invalid:
                problems = invalid.problems
            except ValidationError as error:
                problems = [targets.Problem(0, _("文件"), m) for m in error.messages]
            else:
                year = form.cleaned_data["year"]
                messages.success(
                    request,
                    _("已导入 %(year)s 年度建设目标（%(n)s 项），原有目标已替换")
                    % {"year": year, "n": len(created)},
                )
                return redirect(f"{reverse('bases:targets')}?year={year}")
    region = member.organisation.region
    result = targets.progress(region, year)
    labels = dict(TargetLevel.choices)
    context = {
        "year": year,
        "years": _years(member, year),
        "region": region,
        "result": result,
        "table": [(row.district, [row.cells[level] for level in targets.LEVELS]) for row in result.rows],
        "totals": [result.totals[level] for level in targets.LEVELS],
        "levels": [(level, labels[level]) for level in targets.LEVELS],
        "charts": [
            (level, labels[level], f"targets-chart-{level}", chart(result, level)) for level in targets.LEVELS
        ],
        "importer": importer,
        "form": form,
        "problems": problems,
        "has_targets": any(c.target is not None for c in result.totals.values()),
    }
    return render(request, "bases/targets.html", context, status=400 if problems else 200)


@require_safe
@member_required(kinds=BUREAU)
def targets_template(request):
    member = _bureau(request)
    if not can_set_targets(member):
        raise PermissionDenied
    year = _year(request)
    response = HttpResponse(template_xlsx(member.organisation.region, year), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        True, _("商业秘密保护基地建设任务-%(year)s.xlsx") % {"year": year}
    )
    return response


@require_safe
@member_required(kinds=BUREAU)
def targets_export(request):
    member = _bureau(request)
    year = _year(request)
    region = member.organisation.region
    data = progress_xlsx(targets.progress(region, year), region)
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        True, _("基地建设进度-%(region)s-%(year)s.xlsx") % {"region": region.name, "year": year}
    )
    return response
