"""The two evidence pages that compute in the browser: deposit (存证) and the public verify page (核验).

Neither page ever receives a file. The deposit page hashes files with JavaScript on the member's own
computer (SHA-256 and SM3, static/shangmi/evidence/digest.js) and posts only digests, sizes and labels to
the batch API (POST /api/v1/evidence/deposits, session + CSRF header). The verify page checks a receipt
against a file entirely in the browser (static/shangmi/evidence/receipt-verify.js) and shows the
platform's log origin and verifier key, so that a court, the police or the public can compare them with
a copy from a trusted source. Once loaded it needs no network at all.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_safe

from shangmi import __version__
from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.evidence.log_service import origin, verifier_key

# The client named in each leaf: which tool hashed the material (leaf.py: name/version).
WEB_CLIENT = f"shangmi-web/{__version__}"
# More files than this in one go belong to the CLI (`shangmi deposit`), which also hashes faster.
MAX_FILES = 500
_ID = 987654321  # placeholder id in URL templates, replaced by the page's script


def _hashing_config() -> dict:
    return {
        "workerUrl": static("shangmi/evidence/digest-worker.js"),
        "scripts": [
            static("shangmi/evidence/md-hash.js"),
            static("shangmi/evidence/sha256.js"),
            static("shangmi/evidence/sm3.js"),
            static("shangmi/evidence/digest.js"),
        ],
    }


@require_safe
@member_required()
def deposit_new(request):
    config = {
        **_hashing_config(),
        "client": WEB_CLIENT,
        "maxFiles": MAX_FILES,
        "depositsUrl": reverse("api:deposit_batch"),
        "depositUrl": reverse("api:deposit_detail", args=[_ID]),
        "receiptUrl": reverse("evidence:receipt", args=[_ID]),
        "placeholderId": str(_ID),
        "csrfToken": get_token(request),
    }
    return render(request, "evidence/deposit_new.html", {"config": config, "max_files": MAX_FILES})


@login_not_required
@require_safe
def verify(request):
    log_origin, vkey = origin(), verifier_key()
    config = {**_hashing_config(), "vkey": vkey, "origin": log_origin}
    return render(request, "evidence/verify.html", {"config": config, "origin": log_origin, "vkey": vkey})
