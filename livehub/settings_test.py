"""Test settings: the real services on this machine unless the environment names others."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/livehub")
# A database index of its own: the tests empty it between tests.
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The test process keeps its own Ctrl-C; server processes started by the tests use the real settings.
LIVEHUB_REALTIME = {**LIVEHUB_REALTIME, "CLOSE_ON_SIGNAL": False}  # noqa: F405
# The test process opens connections from many short-lived threads and closes each after use;
# server processes started by the tests use the real settings, pool included.
DATABASES["default"].get("OPTIONS", {}).pop("pool", None)  # noqa: F405
