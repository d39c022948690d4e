"""The accessibility check itself: two checks of one page at once both finish (no race)."""

import pytest

from tests.browser.axe import CHECK

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_two_axe_checks_of_one_page_at_once_both_report(live_server, page):
    page.goto(f"{live_server.url}/login/")
    # As when a test ends while the check made on load is still running.
    reports = page.evaluate(f"() => Promise.all([({CHECK})(), ({CHECK})()])")
    assert [report["url"] for report in reports] == ["/login/", "/login/"]
