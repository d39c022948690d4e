"""A request in a real Chromium: Alice files it, Bob handles it, Alice hears back (R-1 … R-4)."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import Role
from requests_center.models import Category, Request
from tests.browser.login import PASSWORD, log_in
from tests.browser.waits import WAIT_MS
from tests.factories import SiteFactory, member


@pytest.fixture
def people(organisation):
    bob = member(
        organisation,
        Role.MANAGER,
        email="bob@example.test",
        display_name="Bob Martin",
        password=PASSWORD,
    )
    alice = member(
        organisation, email="alice@example.test", display_name="Alice Durand", password=PASSWORD
    )
    SiteFactory(organisation=organisation, name="Bâtiment A")
    plumbing = Category.objects.create(organisation=organisation, name="Plomberie")
    plumbing.managers.add(bob)
    mail.outbox.clear()  # welcome messages
    return alice, bob


def test_r1_to_r4_alice_files_a_request_bob_answers_alice_reads_it(
    new_context, live_server, people
):
    alice, bob = people
    occupant = new_context().new_page()
    occupant.set_default_timeout(WAIT_MS)
    log_in(occupant, f"{live_server.url}/login/", alice.email)
    occupant.goto(f"{live_server.url}/requests/new/")
    occupant.get_by_label("Bâtiment").select_option(label="Bâtiment A")
    occupant.get_by_label("Catégorie").select_option(label="Plomberie")
    occupant.get_by_label("Titre").fill("Fuite sous l'évier")
    occupant.get_by_label("Description").fill("L'eau coule depuis ce matin.")
    occupant.get_by_role("button", name="Envoyer la demande").click()
    request = Request.objects.get()
    expect(occupant.get_by_role("heading", level=1)).to_contain_text(f"ID {request.pk}")
    assert [m.subject for m in mail.outbox] == [
        f"Vous avez reçu une nouvelle demande (ID {request.pk})"
    ]

    manager = new_context().new_page()
    manager.set_default_timeout(WAIT_MS)
    log_in(manager, f"{live_server.url}/admin/login/", bob.email)
    manager.goto(f"{live_server.url}/admin/requests_center/request/{request.pk}/change/")
    manager.locator("[aria-labelledby=select2-id_assigned_to-container]").click()
    manager.locator(".select2-search__field[aria-controls=select2-id_assigned_to-results]").fill(
        "Bob"
    )
    manager.locator(".select2-results__option", has_text="Bob Martin").click()
    manager.locator("#id_status").select_option("in_progress")
    manager.locator("#id_comments-0-body").fill("Le plombier passe demain à 9 h.")
    manager.locator("input[name=_save]").click()
    expect(manager.locator(".messagelist")).to_be_visible()

    request.refresh_from_db()
    assert (request.assigned_to, request.status) == (bob, "in_progress")
    occupant.goto(f"{live_server.url}{request.get_absolute_url()}")
    expect(occupant.get_by_text("Le plombier passe demain à 9 h.")).to_be_visible()
    expect(occupant.locator(".status")).to_have_text("En cours")
    expect(occupant.locator(".nav .badge")).to_have_text("4")  # welcome, assigned, status, comment
    occupant.goto(f"{live_server.url}/inbox/")
    expect(
        occupant.get_by_text(f"Nouveau commentaire sur la demande ID {request.pk}")
    ).to_be_visible()

    to_alice = sorted(m.subject for m in mail.outbox if m.to[0].endswith(alice.email + ">"))
    assert to_alice == [
        f"Demande ID {request.pk}\u00a0: En cours",
        f"Nouveau commentaire sur la demande ID {request.pk}",
        f"Votre demande ID {request.pk} est prise en charge",
    ]
