"""A person downloads their data, and a manager erases a person, in a real Chromium (SPEC P-5)."""

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from privacy.models import ErasureRecord
from tests.browser.login import PASSWORD, log_in
from tests.factories import member


@pytest.fixture
def alice(organisation):
    return member(
        organisation, email="alice@example.test", display_name="Alice Durand", password=PASSWORD
    )


@pytest.fixture
def bob(organisation):
    return member(
        organisation, Role.MANAGER, email="bob@example.test", display_name="Bob Martin",
        password=PASSWORD,
    )  # fmt: skip


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_p5_a_person_downloads_their_data_from_their_preferences(
    page, live_server, alice, width, screenshot_dir
):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, f"{live_server.url}/login/?next=/preferences/", alice.email)
    button = page.get_by_role("button", name="Télécharger mes données")
    button.scroll_into_view_if_needed()
    expect(button).to_be_visible()
    page.screenshot(path=screenshot_dir / f"portal-download-{width}.png", full_page=True)
    with page.expect_download() as download:
        button.click()
    content = Path(download.value.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        profile = json.loads(archive.read("profile.json"))
    assert profile["email"] == "alice@example.test"


def test_p5_a_manager_erases_a_person_after_confirming(
    page, live_server, alice, bob, screenshot_dir
):
    person_page = f"/admin/accounts/user/{alice.pk}/change/"
    log_in(page, f"{live_server.url}/admin/login/?next={person_page}", bob.email)
    page.get_by_role("link", name="Effacer cette personne").click()
    expect(page.get_by_role("button", name="Effacer définitivement")).to_be_visible()
    page.screenshot(path=screenshot_dir / "admin-erase-confirmation.png", full_page=True)
    page.get_by_label("Motif").fill("Demande par e-mail du 2 mars")
    page.get_by_label(re.compile("irréversible")).check()
    page.get_by_role("button", name="Effacer définitivement").click()
    expect(page.locator(".messagelist")).to_contain_text("La personne a été effacée.")
    page.screenshot(path=screenshot_dir / "admin-after-erasure.png", full_page=True)
    assert ErasureRecord.objects.get().reason == "Demande par e-mail du 2 mars"
