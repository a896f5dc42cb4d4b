"""Settings for the test suite: the production settings with test-only defaults.

The environment still wins, so `DATABASE_URL=postgres://… pytest` runs on PostgreSQL.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("DEBUG", "0")
# A fixed Fernet key for the tests' channel credentials (never a production key).
os.environ.setdefault("CADENCE_CREDENTIALS_KEYS", "dGVzdC1vbmx5LWNyZWRlbnRpYWxzLWtleS0zMmJ5dGU=")
os.environ.setdefault("HEALTHZ_TOKEN", "test-only-health-token")
os.environ.setdefault("CADENCE_AUDIT_KEYS", "test-only-audit-seal-key-of-at-least-32-chars")

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
# The suite runs without DEBUG but without `collectstatic`: no manifest to read, files
# found where they are (tests/integration/test_deploy.py runs the production storage).
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# The test process itself never needs a broker: messages it sends stay in memory.
# Integration tests start real workers whose CELERY_BROKER_URL environment variable
# (read by Celery before this setting) points them at Redis.
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}

# Tests read the English messages (the source text); a visitor's default stays French
# in production, which the tests that check it set explicitly. The browser tests ask for
# French through the browser's own language, as a French visitor's browser would.
LANGUAGE_CODE = "en"
