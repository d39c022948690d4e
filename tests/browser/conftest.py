"""Real-browser tests: pytest-playwright drives Debian's Chromium against a live Django server.

Without /usr/bin/chromium (`apt-get install chromium`) every test here is skipped, and says why.
"""

import os
import threading
import time
from pathlib import Path

import pytest
from django.test import Client

from tests.browser.axe import AxeWatch
from tests.browser.waits import WAIT_MS

CHROMIUM = Path("/usr/bin/chromium")
NOT_INSTALLED = f"Chromium not installed: apt-get install chromium (no {CHROMIUM})"
HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE.parents[1] / "test-results" / "screenshots"


@pytest.hookimpl(trylast=True)  # after pytest-django's own ordering
def pytest_collection_modifyitems(config, items):
    """Mark every test of this folder `browser`, skip them without Chromium, and run them last.

    Last, because Playwright's loop and the switch below stay on until the session ends.
    """
    browser_tests = [item for item in items if HERE in item.path.parents]
    for item in browser_tests:
        item.add_marker(pytest.mark.browser)
        if not CHROMIUM.exists():
            item.add_marker(pytest.mark.skip(reason=NOT_INSTALLED))
    items[:] = [item for item in items if item not in browser_tests] + browser_tests


@pytest.fixture(scope="session", autouse=True)
def _orm_beside_playwright():
    """Let Django's ORM run in a thread where Playwright keeps an asyncio loop running.

    Playwright's sync API runs its loop in the test thread from the first browser test to the
    end of the session; Django refuses ORM calls there (SynchronousOnlyOperation), in the
    tests' setup and in the live server sharing the in-memory SQLite connection alike.
    Nothing here is async. Set only now, not at import: `check --deploy` warns about it.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _tasks_run_in_the_project_app():
    """Engine tasks run eagerly in the project's Celery app, as in every other test.

    Any `Celery(...)` an earlier test created became `current_app`, and the engine's
    shared tasks follow `current_app`: one made not to run eagerly would send them to a broker.
    """
    from config.celery import app

    app.set_current()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, not a browser build Playwright would download."""
    if not CHROMIUM.exists():
        pytest.skip(NOT_INSTALLED)
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser(_live_server_outlasts_its_requests, browser):
    """Playwright's browser, made after the live server so that it is closed before it."""
    return browser


@pytest.fixture(scope="session")
def _live_server_outlasts_its_requests(live_server):
    """At the end of the session, let the live server's request threads finish before it stops.

    Each thread ends when Chromium closes its connection, which it does for most of them
    only as the browser closes, a moment before the session ends. A thread still running
    when the live server stops no longer shares the in-memory SQLite connection, and
    fails closing it (DatabaseError "created in a thread..."): on a busy machine, a dozen
    of them after the last browser test.
    """
    yield
    deadline = time.monotonic() + 30
    for thread in threading.enumerate():  # the browser is closed: no request starts now
        if thread.name.endswith("(process_request_thread)"):
            thread.join(timeout=max(0, deadline - time.monotonic()))
            assert not thread.is_alive(), "a live server's request thread never finished"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A person in France: the portal's default language and zone."""
    return {**browser_context_args, "locale": "fr-FR", "timezone_id": "Europe/Paris"}


@pytest.fixture
def axe_watch():
    return AxeWatch()


@pytest.fixture
def new_context(new_context, axe_watch):
    """Every context a test makes checks its portal pages with axe-core (tests/browser/axe.py)."""
    contexts = []

    def make(**kwargs):
        context = axe_watch.watch(new_context(**kwargs))
        contexts.append(context)
        return context

    yield make
    axe_watch.check_open_pages(contexts)
    if problem := axe_watch.failure():
        pytest.fail(problem)


@pytest.fixture
def page(page):
    page.set_default_timeout(WAIT_MS)
    return page


@pytest.fixture
def log_in_as(live_server):
    """Give a browser context the session of `user`, as if they had logged in."""

    def log_in(context, user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies["sessionid"]
        context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])

    return log_in


@pytest.fixture
def screenshot_dir():
    """Where the screenshots go for a person to look at (test-results/ is not committed)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
