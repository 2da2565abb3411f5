"""Settings for the test suite: the production module with a throw-away data directory.

The database still comes from DATABASE_URL, so the same suite runs on SQLite and PostgreSQL.
"""

import os
import tempfile

os.environ.setdefault("SHANGMI_DATA_DIR", tempfile.mkdtemp(prefix="shangmi-test-"))

from shangmi.settings import *  # noqa: E402, F403

# Templates resolve static names without a collectstatic manifest.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_AUTOREFRESH = True
