"""Browser journeys: Playwright (Python) driving Debian's Chromium against `live_server`.

A failing journey leaves a full-page screenshot in `test-artifacts/e2e/`.
"""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import sync_playwright

from tests.conftest import PASSWORD

# Playwright's sync API keeps an asyncio loop alive in this thread; Django would then refuse
# synchronous ORM calls made by the test's own fixtures. The live server runs in its own thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "e2e"


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: `make test` installs Debian's chromium package"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def _artifact(request, suffix="") -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1])
    return ARTIFACTS / f"{name}{suffix}.png"


def open_page(browser, live_server, request, width: int = 1280, height: int = 900):
    """A fresh browser page on the live server; a screenshot is kept if the test fails. Yield from it."""
    context = browser.new_context(base_url=live_server.url, locale="vi-VN", viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        page.screenshot(path=_artifact(request, "-FAILED"), full_page=True)
    context.close()


@pytest.fixture
def page(browser, live_server, request):
    yield from open_page(browser, live_server, request)


@pytest.fixture
def snapshot(page, request):
    """snapshot() saves the current page under test-artifacts/e2e/ for a person to look at."""

    def take(suffix=""):
        page.screenshot(path=_artifact(request, suffix), full_page=True)

    return take


@pytest.fixture
def login(page):
    def do(username, password=PASSWORD):
        page.goto("/dang-nhap/")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(password)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_load_state()

    return do
