"""Content-Security-Policy and the other protective headers, portal and back office (issue 10, 9).

Scripts run only from our own static files, or inline with the page's nonce;
no page of Relais may be framed by another site.
"""

import re

import pytest
from django.http import HttpResponse
from django.template import engines
from django.urls import path, reverse

from config import urls as project_urls

pytestmark = pytest.mark.django_db


def _page_with_an_inline_script(request):
    template = engines["django"].from_string(
        '<script nonce="{{ request.csp_nonce }}">document.title = "ok";</script>'
    )
    return HttpResponse(template.render(request=request))


# Used by the nonce test only: the project's URLs plus one page with an inline script.
urlpatterns = [
    path("tests/inline-script/", _page_with_an_inline_script),
    *project_urls.urlpatterns,
]


def directives(response):
    """The policy header as {directive: its sources}."""
    pairs = (part.strip().partition(" ") for part in response["Content-Security-Policy"].split(";"))
    return {name: sources for name, _space, sources in pairs}


@pytest.fixture
def portal_page(client, alice):
    client.force_login(alice)
    return client.get(reverse("notifications:inbox"))


@pytest.fixture
def admin_page(client, bob):
    client.force_login(bob)
    return client.get(reverse("admin:index"))


def test_portal_pages_carry_a_policy_that_allows_only_our_own_scripts(portal_page):
    assert portal_page.status_code == 200
    policy = directives(portal_page)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # no inline script on this page: no nonce either
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"


def test_back_office_pages_carry_the_same_policy(admin_page):
    assert admin_page.status_code == 200
    assert directives(admin_page)["script-src"] == "'self'"
    assert directives(admin_page)["frame-ancestors"] == "'none'"


def test_pages_before_login_carry_it_too(client):
    for url in [reverse("login"), reverse("admin:login"), reverse("password_reset")]:
        assert directives(client.get(url))["frame-ancestors"] == "'none'", url


@pytest.mark.parametrize("page", ["portal_page", "admin_page"])
def test_the_other_protective_headers_are_sent(request, page):
    response = request.getfixturevalue(page)
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.urls(__name__)
def test_an_inline_script_runs_only_with_the_nonce_its_page_was_given(client):
    first = client.get("/tests/inline-script/")
    nonce = re.search(r'<script nonce="([^"]+)">', first.content.decode()).group(1)
    assert directives(first)["script-src"] == f"'self' 'nonce-{nonce}'"
    second = client.get("/tests/inline-script/")
    assert f"'nonce-{nonce}'" not in second["Content-Security-Policy"]  # a new one each time
