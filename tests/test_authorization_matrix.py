"""The authorisation matrix: every URL pattern and API route, enumerated from the resolver.

Each route is either declared public below, or it
  * refuses anonymous users (pages redirect to log-in, the API answers 401) for every method,
  * answers a member of another organisation exactly as it answers for an object that does not exist,
  * never shows another organisation's data (a canary planted in organisation A never reaches B),
  * and a refused write changes nothing stored.
A new route is picked up automatically: one with path parameters fails until it has an entry in
OBJECT_ROUTES, so a forgotten tenant check fails CI.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator

import pytest
from django.apps import apps
from django.core import serializers
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from shangmi.apps.accounts import actions
from shangmi.apps.assessment.tests.matrix_factories import ASSESSMENT_PARAM_FACTORIES
from shangmi.apps.bases.tests.matrix_factories import BASES_PARAM_FACTORIES
from shangmi.apps.forensics.tests.matrix_factories import (
    FORENSICS_OBJECT_ROUTES,
    FORENSICS_PARAM_FACTORIES,
)
from shangmi.apps.monitoring.tests.matrix_factories import MONITORING_PARAM_FACTORIES
from shangmi.apps.people.tests.matrix_factories import PEOPLE_PARAM_FACTORIES

pytestmark = pytest.mark.django_db

CANARY = "金丝雀-7f3a9c"

# Public by design, with the reason.
PUBLIC = {
    "accounts:login": "the log-in page",
    "accounts:logout": "logging out needs no session",
    "set_language": "choosing a language before logging in",
    "api_docs": "redirect to the API documentation",
    "api:openapi-json": "the API description holds no tenant data",
    "api:openapi-view": "the API documentation page",
    "api:api-root": "the API root",
    "api:regions": "GB/T 2260 regions are public reference data",
    "admin:login": "Django admin's own log-in page",
    "admin:logout": "Django admin's log-out",
    "log:checkpoint": "the public evidence log (digests only), C2SP tlog-tiles",
    "log:tile": "the public evidence log (digests only), C2SP tlog-tiles",
    "log:vkey": "the log's public verifier key",
    "api:log_info": "the log's origin and public verifier key",
    "verify": "the public receipt verification page (核验): computes in the browser, holds no tenant data",
    "registry:label_proof": "the QR target on a carrier label: an unguessable token, proves registration only",
    "bases:published": "the list of recognised bases, published on the bureaus' portals (guide art. 14)",
}

# Routes with path parameters: how to make an object of `org` owned by `user`.
ObjectFactory = Callable[[object, object], dict]


def _token(org, user) -> dict:
    token, _secret = actions.token_create(actor=user, organisation=org, name="matrix")
    return {"token_id": token.pk}


def _notification(org, user) -> dict:
    note = actions.notification_send(recipient=user, organisation=org, title=CANARY)
    return {"notification_id": note.pk}


def _membership(org, user) -> dict:
    from shangmi.apps.accounts.models import Membership

    return {"member_id": Membership.objects.get(organisation=org, role="employee").pk}


def _ping(org, user) -> dict:
    from shangmi.apps.ops.actions import ping_enqueue

    return {"result_id": ping_enqueue().id}


def _deposit(org, user) -> dict:
    from shangmi.apps.evidence.actions import deposit_create
    from shangmi.engines.tlog.material import digest_bytes

    material = digest_bytes(CANARY.encode())
    deposit = deposit_create(
        organisation=org,
        actor=user,
        kind="file",
        sha256=material.sha256,
        sm3=material.sm3,
        size=material.size,
        label=CANARY,
    )
    return {"deposit_id": deposit.pk}


def _deposit_digest(org, user) -> dict:
    from shangmi.apps.evidence.log_service import include_pending
    from shangmi.apps.evidence.models import Deposit

    deposit_id = _deposit(org, user)["deposit_id"]
    include_pending()
    return {"sha256": Deposit.objects.get(pk=deposit_id).sha256}


def _membership_of(org, user):
    from shangmi.apps.accounts.models import Membership

    return Membership.objects.select_related("organisation", "user").get(organisation=org, user=user)


def _secret(org, user) -> dict:
    from shangmi.apps.registry.actions import secret_apply

    secret = secret_apply(
        member=_membership_of(org, user),
        points=[(CANARY, CANARY)],
        name=CANARY,
        category="technical",
        subcategory="formula",
        description=CANARY,
        level="core",
        period_kind="long_term",
        department="研发部",
    )
    return {"secret_id": secret.pk}


def _carrier(org, user) -> dict:
    from shangmi.apps.registry.actions import carrier_add
    from shangmi.apps.registry.models import TradeSecret

    secret = TradeSecret.objects.get(pk=_secret(org, user)["secret_id"])
    carrier = carrier_add(member=_membership_of(org, user), secret=secret, kind="paper", name=CANARY)
    return {"carrier_id": carrier.pk}


def _grant(org, user) -> dict:
    from shangmi.apps.accounts.models import Membership
    from shangmi.apps.registry.actions import grant_add
    from shangmi.apps.registry.models import TradeSecret

    secret = TradeSecret.objects.get(pk=_secret(org, user)["secret_id"])
    employee = Membership.objects.get(organisation=org, role="employee").user
    grant = grant_add(member=_membership_of(org, user), secret=secret, user=employee, reason=CANARY)
    return {"grant_id": grant.pk}


def _event(org, user) -> dict:
    from shangmi.apps.registry.models import SecretEvent

    secret_id = _secret(org, user)["secret_id"]
    return {"event_id": SecretEvent.objects.filter(secret_id=secret_id).first().pk}


# Register routes (pages and API) are covered by their one path parameter: any route taking a
# secret_id is tried with a secret of organisation A, and so on.
PARAM_FACTORIES: dict[str, ObjectFactory] = {
    "secret_id": _secret,
    "carrier_id": _carrier,
    "grant_id": _grant,
    "event_id": _event,
    **PEOPLE_PARAM_FACTORIES,
    **ASSESSMENT_PARAM_FACTORIES,
    **MONITORING_PARAM_FACTORIES,
    **FORENSICS_PARAM_FACTORIES,
    **BASES_PARAM_FACTORIES,
}

OBJECT_ROUTES: dict[str, ObjectFactory] = {
    "evidence:receipt": _deposit,
    "api:deposit_detail": _deposit,
    "api:deposit_receipt": _deposit,
    "api:receipt_by_digest": _deposit_digest,
    "ops:ping_status": _ping,
    "accounts:member_role": _membership,
    "accounts:member_deactivate": _membership,
    "accounts:token_revoke": _token,
    "accounts:inbox_open": _notification,
    "api:token_revoke": _token,
    "api:notification_read": _notification,
    **FORENSICS_OBJECT_ROUTES,
}
MISSING_ID = 987654321
MISSING_UUID = "00000000-0000-4000-8000-000000000000"


def _missing(value) -> object:
    if len(str(value)) == 64:  # a SHA-256 digest
        return "0" * 64
    return MISSING_UUID if not str(value).isdigit() else MISSING_ID


# Models whose rows change as a side effect of logging in or being throttled, not of the route.
VOLATILE = {
    "sessions.session",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "otp_totp.totpdevice",
    "otp_static.staticdevice",
    "otp_static.statictoken",
    "ops.workerheartbeat",
}


def _walk(
    resolver: URLResolver, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace and (f"{namespace}:{entry.namespace}" if namespace else entry.namespace)
            yield from _walk(entry, prefix + str(entry.pattern), ns or namespace)
        else:
            name = f"{namespace}:{entry.name}" if namespace else (entry.name or "")
            yield prefix + str(entry.pattern), name, entry


ROUTES = sorted({name: route for route, name, _p in _walk(get_resolver())}.items())
APP_ROUTES = [(name, route) for name, route in ROUTES if not name.startswith("admin:")]
ADMIN_ROUTES = [(name, route) for name, route in ROUTES if name.startswith("admin:") and name not in PUBLIC]


def _params(route: str) -> list[str]:
    return re.findall(r"<(?:\w+:)?(\w+)>", route) + re.findall(r"\(\?P<(\w+)>", route)


for _name, _route in APP_ROUTES:
    _route_params = _params(_route)
    if _name not in OBJECT_ROUTES and _name not in PUBLIC and len(_route_params) == 1:
        OBJECT_ROUTES.setdefault(_name, PARAM_FACTORIES.get(_route_params[0]))  # type: ignore[arg-type]
OBJECT_ROUTES = {name: factory for name, factory in OBJECT_ROUTES.items() if factory is not None}


def _reverse_any(name: str, route: str) -> str:
    """A URL for the route, filling parameters with the first value the pattern accepts."""
    names = _params(route)
    if name.endswith(":None"):  # admin's unnamed catch-all
        return "/admin/no-such-page/"
    for value in ("1", "auth", "auth/user"):
        try:
            return reverse(name, kwargs={n: value for n in names})
        except NoReverseMatch:
            continue
    raise AssertionError(f"cannot build a URL for {name} ({route})")


def _snapshot() -> str:
    digest = hashlib.sha256()
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label_lower):
        if model._meta.label_lower in VOLATILE:
            continue
        rows = serializers.serialize("json", model.objects.order_by("pk"))
        digest.update(model._meta.label_lower.encode() + rows.encode())
    return digest.hexdigest()


def _normalise(body: bytes, url: str) -> str:
    text = body.decode(errors="replace").replace(url, "URL")
    text = re.sub(r"csrfmiddlewaretoken\" value=\"[^\"]+", "csrf", text)
    text = re.sub(r"X-CSRFToken\": \"[^\"]+", "csrf", text)
    text = re.sub(r"nonce[=\-\"': ]+[\w\-+/=]+", "nonce", text, flags=re.IGNORECASE)
    return re.sub(r"\d+", "N", text)


@pytest.fixture(autouse=True)
def _own_data_dir(settings, tmp_path):
    # The evidence log on disk is not rolled back with the database: each test gets its own.
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()


@pytest.fixture
def tenants(enterprise, other_enterprise, login):
    org_a, people_a = enterprise
    org_b, people_b = other_enterprise
    actions.organisation_create(actor=None, kind="enterprise", name=CANARY, short_code="CANARY1")
    for user in people_a.values():
        actions.notification_send(recipient=user, organisation=org_a, title=CANARY, body=CANARY)
    outsider = login(people_b["admin"])
    return org_a, people_a, org_b, people_b, outsider


def test_every_route_is_classified():
    unclassified = []
    for name, route in APP_ROUTES:
        if name in PUBLIC:
            continue
        if _params(route) and name not in OBJECT_ROUTES:
            unclassified.append(f"{name} ({route})")
    assert not unclassified, (
        "routes with path parameters need an OBJECT_ROUTES entry so cross-tenant access is tested: "
        + ", ".join(unclassified)
    )
    assert set(OBJECT_ROUTES) <= {name for name, _r in APP_ROUTES}, "OBJECT_ROUTES lists a route that is gone"
    assert set(PUBLIC) <= {name for name, _r in ROUTES}, "PUBLIC lists a route that is gone"


@pytest.mark.parametrize("name,route", [r for r in APP_ROUTES if r[0] not in PUBLIC], ids=lambda v: str(v))
def test_anonymous_is_refused_and_nothing_changes(client, tenants, name, route):
    org_a, people_a, *_ = tenants
    kwargs = OBJECT_ROUTES[name](org_a, people_a["officer"]) if name in OBJECT_ROUTES else {}
    url = reverse(name, kwargs=kwargs)
    before = _snapshot()
    for method in ("get", "post", "delete"):
        response = getattr(client, method)(url)
        if route.startswith("api/"):
            assert response.status_code in (401, 405), f"{method.upper()} {url} -> {response.status_code}"
        else:
            assert response.status_code == 302, f"{method.upper()} {url} -> {response.status_code}"
            assert response["Location"].startswith(reverse("accounts:login")), response["Location"]
        assert CANARY not in response.content.decode(errors="replace")
    assert _snapshot() == before, f"an anonymous request to {url} changed stored data"


@pytest.mark.parametrize("name", sorted(OBJECT_ROUTES))
def test_other_organisation_gets_the_same_answer_as_for_a_missing_object(tenants, name):
    org_a, people_a, _org_b, _people_b, outsider = tenants
    kwargs = OBJECT_ROUTES[name](org_a, people_a["officer"])
    foreign = reverse(name, kwargs=kwargs)
    missing = reverse(name, kwargs={k: _missing(v) for k, v in kwargs.items()})
    before = _snapshot()
    for method in ("get", "post", "delete"):
        got = getattr(outsider, method)(foreign)
        expected = getattr(outsider, method)(missing)
        assert got.status_code == expected.status_code, f"{method.upper()} {foreign}"
        # 404 for tenant objects; 403 where the whole route is closed to the caller's role; 405 for methods
        assert got.status_code in (403, 404, 405), f"{method.upper()} {foreign} -> {got.status_code}"
        assert _normalise(got.content, foreign) == _normalise(expected.content, missing), (
            f"{method.upper()} {foreign}"
        )
    assert _snapshot() == before, f"a refused request to {foreign} changed stored data"


@pytest.mark.parametrize("name,route", [r for r in APP_ROUTES if not _params(r[1])], ids=lambda v: str(v))
def test_no_route_shows_another_organisations_data(tenants, name, route):
    _org_a, _people_a, _org_b, _people_b, outsider = tenants
    response = outsider.get(reverse(name))
    if response.status_code == 302:
        response = outsider.get(response["Location"])
    body = response.content.decode(errors="replace")
    assert CANARY not in body or name == "api:regions", f"{name} leaked organisation A's data"


def test_the_canary_is_visible_to_its_own_organisation(tenants, login):
    """Guards the test above: the canary is really reachable by its owner, so its absence means something."""
    _org_a, people_a, *_ = tenants
    assert CANARY in login(people_a["officer"]).get(reverse("accounts:inbox")).content.decode()


@pytest.mark.parametrize("name,route", ADMIN_ROUTES, ids=lambda v: str(v))
def test_admin_refuses_anonymous_and_non_staff(client, tenants, name, route):
    _org_a, _people_a, _org_b, _people_b, outsider = tenants
    url = _reverse_any(name, route)
    before = _snapshot()
    for who in (client, outsider):
        for method in ("get", "post"):
            response = getattr(who, method)(url)
            assert response.status_code in (302, 404), f"{method.upper()} {url} -> {response.status_code}"
            if response.status_code == 302:
                assert "/login/" in response["Location"]
    assert _snapshot() == before


def test_matrix_covers_the_api_routes():
    api_routes = {name for name, route in APP_ROUTES if route.startswith("api/v1/")}
    assert {
        "api:me",
        "api:members",
        "api:audit_events" if "api:audit_events" in api_routes else "api:events",
    } <= api_routes
    assert len(api_routes) >= 10, json.dumps(sorted(api_routes))
