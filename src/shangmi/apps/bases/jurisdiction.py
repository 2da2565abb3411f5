"""Which bureau handles which step of an application, and which applications a bureau may see.

A bureau is a regulator organisation whose region is a county, a city or a province. The accepting bureau
is the one at the base's level over the applicant's district; the recommending bureau is one level below it
(for a county-level base, the county bureau itself)."""

from __future__ import annotations

from django.db.models import QuerySet

from shangmi.apps.accounts.models import Organisation, Region
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.bases.models import AppState, BaseApplication, BaseLevel

REVIEW_LEVEL = {BaseLevel.COUNTY: "county", BaseLevel.CITY: "county", BaseLevel.PROVINCE: "city"}
ACCEPT_LEVEL = {BaseLevel.COUNTY: "county", BaseLevel.CITY: "city", BaseLevel.PROVINCE: "province"}


def region_at(district: Region | None, level: str) -> Region | None:
    """The district itself or the ancestor of `district` at `level` (county, city, province)."""
    node = district
    while node is not None and node.level != level:
        node = node.parent
    return node


def bureau_level(bureau: Organisation) -> str | None:
    if bureau.kind != OrgKind.REGULATOR or bureau.region is None:
        return None
    return bureau.region.level


def covers(bureau: Organisation, application: BaseApplication) -> bool:
    """Whether the application's district lies in the bureau's region (it may read it)."""
    return bureau_level(bureau) is not None and bureau.region.contains(application.district)


def reviews(bureau: Organisation, application: BaseApplication) -> bool:
    """Whether the bureau is the one that reviews and recommends this application."""
    region = region_at(application.district, REVIEW_LEVEL[BaseLevel(application.level)])
    return region is not None and bureau_level(bureau) == region.level and bureau.region_id == region.code


def accepts(bureau: Organisation, application: BaseApplication) -> bool:
    """Whether the bureau accepts, notices, recognises, reviews yearly and revokes this application."""
    region = region_at(application.district, ACCEPT_LEVEL[BaseLevel(application.level)])
    return region is not None and bureau_level(bureau) == region.level and bureau.region_id == region.code


def visible_to_bureau(bureau: Organisation) -> QuerySet[BaseApplication]:
    """Submitted applications in the bureau's region (drafts stay the applicant's)."""
    if bureau_level(bureau) is None:
        return BaseApplication.objects.none()
    prefix = bureau.region.code_prefix
    # A draft, or one withdrawn before it was ever submitted, stays the applicant's.
    return (
        BaseApplication.objects.filter(district__code__startswith=prefix)
        .exclude(state=AppState.DRAFT)
        .exclude(state=AppState.WITHDRAWN, submitted_at__isnull=True)
    )
