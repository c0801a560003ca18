"""Loaded by pytest before Django's settings (pyproject: `-p tests.environment`).

Settings refuse to start with DEBUG off and no DJANGO_SECRET_KEY, and CI sets neither: the
suite runs like production (DEBUG off) on a throwaway key of its own. A conftest.py is too
late for this: pytest-django reads the settings before it loads any conftest.
"""

import os
import secrets

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-" + secrets.token_urlsafe(32))
