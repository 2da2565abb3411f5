from __future__ import annotations

from ninja import NinjaAPI

from shangmi import __version__
from shangmi.api import errors
from shangmi.api.auth import AUTH

api = NinjaAPI(
    title="shangmi 商秘 API",
    version=__version__,
    description="商业秘密保护信息系统 API。使用个人访问令牌：`Authorization: Bearer smt_…`。",
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
)
errors.install(api)

from shangmi.apps.accounts.api import router as accounts_router  # noqa: E402
from shangmi.apps.assessment.api import router as assessment_router  # noqa: E402
from shangmi.apps.audit.api import router as audit_router  # noqa: E402
from shangmi.apps.bases.api import router as bases_router  # noqa: E402
from shangmi.apps.evidence.api import router as evidence_router  # noqa: E402
from shangmi.apps.forensics.api import router as forensics_router  # noqa: E402
from shangmi.apps.monitoring.api import router as monitoring_router  # noqa: E402
from shangmi.apps.people.api import router as people_router  # noqa: E402
from shangmi.apps.registry.api import router as registry_router  # noqa: E402

api.add_router("/", accounts_router)
api.add_router("/audit", audit_router)
api.add_router("/evidence", evidence_router)
api.add_router("/registry", registry_router)
api.add_router("/people", people_router)
api.add_router("/assessment", assessment_router)
api.add_router("/monitoring", monitoring_router)
api.add_router("/forensics", forensics_router)
api.add_router("/bases", bases_router)


def api_urls():
    """api.urls with every view exempt from LoginRequiredMiddleware: the API authenticates each
    operation itself (token or verified session) and answers 401 in its error schema, not a redirect."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback.login_required = False
    return patterns, app_name, namespace
