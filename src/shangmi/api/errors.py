"""One error schema for every API failure: {"detail": "...", "errors": [{"field": "...", "message": "..."}]}."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldError] = []


def _loc_to_field(loc) -> str:
    # ninja reports ("body", "payload", "name"); users care about "name".
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "header", "cookie")]
    if parts and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts) or "__all__"


def install(api) -> None:
    def respond(request, status: int, detail: str, errors: list[dict] | None = None):
        return api.create_response(request, {"detail": detail, "errors": errors or []}, status=status)

    @api.exception_handler(NinjaValidationError)
    def on_validation(request, exc):
        errors = [{"field": _loc_to_field(e.get("loc", ())), "message": e.get("msg", "")} for e in exc.errors]
        return respond(request, 422, _("请求内容有误"), errors)

    @api.exception_handler(DjangoValidationError)
    def on_django_validation(request, exc):
        if hasattr(exc, "error_dict"):
            errors = [{"field": f, "message": m} for f, msgs in exc.message_dict.items() for m in msgs]
        else:
            errors = [{"field": "__all__", "message": m} for m in exc.messages]
        return respond(request, 422, _("请求内容有误"), errors)

    @api.exception_handler(Http404)
    def on_not_found(request, exc):
        return respond(request, 404, _("未找到"))

    @api.exception_handler(PermissionDenied)
    def on_forbidden(request, exc):
        return respond(request, 403, _("无权执行此操作"))

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request, exc):
        return respond(request, 401, _("需要登录或有效的访问令牌"))

    @api.exception_handler(HttpError)
    def on_http_error(request, exc):
        if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
            # A body that is not JSON is a field error on "body", reported like every other 422.
            return respond(
                request, 422, _("请求内容不是有效的 JSON"), [{"field": "body", "message": str(exc.__cause__)}]
            )
        return respond(request, exc.status_code, str(exc))
