"""The read-only log over HTTP, exactly as C2SP tlog-tiles lays it out: /log/checkpoint, /log/tile/…"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe

from shangmi.apps.evidence.log_service import log_dir, verifier_key
from shangmi.engines.tlog.sequencer import read_checkpoint
from shangmi.engines.tlog.storage import FileStorage, NotFound
from shangmi.engines.tlog.tiles import TileError, parse_tile_path

IMMUTABLE = "public, max-age=31536000, immutable"


def _read(path: str) -> bytes:
    try:
        return FileStorage(log_dir(), fsync=False).read(path)
    except (NotFound, FileNotFoundError, NotADirectoryError):
        raise Http404() from None


@login_not_required
@require_safe
def checkpoint(request):
    response = HttpResponse(_read("checkpoint"), content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@login_not_required
@require_safe
def tile(request, path: str):
    try:
        parsed = parse_tile_path(path)
    except TileError:
        raise Http404() from None
    # A tile beyond the durable checkpoint may be a leftover of a torn batch that recovery will rewrite.
    published = read_checkpoint(FileStorage(log_dir(), fsync=False)) if log_dir().exists() else None
    if published is None or parsed.end > published.size:
        raise Http404()
    response = HttpResponse(_read(path), content_type="application/octet-stream")
    # Full tiles never change; a partial tile is replaced by a wider one as the log grows.
    response["Cache-Control"] = IMMUTABLE if parsed.width == 256 else "no-cache"
    return response


@login_not_required
@require_safe
def vkey(request):
    response = HttpResponse(verifier_key() + "\n", content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
