"""Setting a year's targets from the notice's table (guide art. 12: the bureau above hands them down).

Only a city or provincial bureau sets targets, and only for districts inside its region. An import
replaces all of that bureau's targets for the year, or — on any bad row — stores nothing."""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shangmi.apps.accounts.models import Region
from shangmi.apps.audit.actions import audit_record
from shangmi.apps.bases import permissions, targets
from shangmi.apps.bases.models import BaseTarget

MIN_YEAR, MAX_YEAR = 2000, 2100
SETTING_LEVELS = (Region.Level.CITY, Region.Level.PROVINCE)


def can_set_targets(member) -> bool:
    return permissions.is_bureau(member) and member.organisation.region.level in SETTING_LEVELS


@transaction.atomic
def targets_import(*, member, uploaded, year, request=None) -> list[BaseTarget]:
    """Replace the bureau's targets of `year` with the uploaded table's (an UploadedFile or anything with
    .name, .size and .read()). Raises PermissionDenied, or ValidationError naming every bad row."""
    if not can_set_targets(member):
        raise PermissionDenied(_("只有市级或省级市场监管局可以下达建设目标"))
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": [_("请填写年度")]}) from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError({"year": [_("年度应在 %(a)s 至 %(b)s 之间") % {"a": MIN_YEAR, "b": MAX_YEAR}]})
    if uploaded is None:
        raise ValidationError({"file": [_("请选择要导入的文件")]})
    size = getattr(uploaded, "size", None)
    if size is not None and size > targets.MAX_CSV_BYTES * 10:
        raise ValidationError({"file": [_("文件超过 10 MB 上限")]})
    data = uploaded.read()
    region = member.organisation.region
    rows = targets.parse_upload(getattr(uploaded, "name", ""), data, region)

    owner = member.organisation
    removed = BaseTarget.objects.filter(owner=owner, year=year).delete()[0]
    created = BaseTarget.objects.bulk_create(
        BaseTarget(owner=owner, year=year, district=row.district, level=level, count=count)
        for row in rows
        for level, count in row.counts.items()
    )
    audit_record(
        organisation=owner,
        actor=member.user,
        verb="bases.targets_import",
        changes={
            "year": year,
            "file": getattr(uploaded, "name", ""),
            "sha256": hashlib.sha256(data).hexdigest(),
            "replaced": removed,
            "targets": {row.district.code: row.counts for row in rows},
        },
        request=request,
    )
    return created
