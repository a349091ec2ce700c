"""Real Chromium (Debian's, never a downloaded one) against a real Daphne process."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.integration.conftest import ROOT, start_server

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
# Flags for a closed network: without them Chromium keeps calling home and logging failures.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def store_password(username: str, password: str) -> None:
    """The server runs production settings: store the password with a hasher it knows."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    hasher = PBKDF2PasswordHasher()
    get_user_model().objects.filter(username=username).update(password=hasher.encode(password, hasher.salt()))


@pytest.fixture(scope="session")
def static_root(tmp_path_factory) -> Path:
    """The production static pipeline (collectstatic, WhiteNoise), run once for the browser tests."""
    manifest = Path(settings.LIVEHUB_FRONTEND_DIST) / ".vite" / "manifest.json"
    if not manifest.exists():
        pytest.fail("The frontend is not built: run `make test` (it builds it) or `npm run build` in frontend/.")
    root = tmp_path_factory.mktemp("static")
    env = {**os.environ, "STATIC_ROOT": str(root), "DJANGO_SETTINGS_MODULE": "livehub.settings"}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    return root


@pytest.fixture
def server(tmp_path, transactional_db, static_root, event):
    running = start_server(tmp_path, env={"STATIC_ROOT": str(static_root)})
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def _sync_orm_beside_playwright(monkeypatch):
    """Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are sync."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (.ci/run does).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class ConsoleErrors:
    """Collects console errors and uncaught exceptions of every page a test opens."""

    def __init__(self):
        self.errors: list[str] = []

    def watch(self, page, name: str):
        page.on("console", lambda message: message.type == "error" and self.errors.append(f"{name}: {message.text}"))
        page.on("pageerror", lambda error: self.errors.append(f"{name}: {error}"))
        return page


@pytest.fixture
def console():
    collected = ConsoleErrors()
    yield collected
    assert collected.errors == [], "console errors: " + "; ".join(collected.errors)


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def open_page(server, browser, console):
    """A page of the server in a new browser context, watched for console errors, once it is live."""

    def open_(name, path, **context):
        page = console.watch(browser.new_context(**context).new_page(), name)
        page.goto(f"{server.http}{path}")
        expect(page.get_by_test_id("connection")).to_have_text("Connected")
        return page

    return open_
