"""Settings for the test suite: the same settings with TINHSO_ENV=test."""

import os

os.environ["TINHSO_ENV"] = "test"
os.environ.setdefault("TINHSO_VAR_DIR", os.path.join(os.getcwd(), "var", "test"))

from .settings import *  # noqa: E402,F403

# Tests serve static files from the apps' folders (no collectstatic step).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
