"""Export and erasure in the back office and on the portal (SPEC P-5): who may, and how."""

import io
import json
import zipfile

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse

from privacy.models import ErasureRecord
from tests.factories import OrganisationFactory
from tests.privacy.conftest import ALICE_PHONE

pytestmark = pytest.mark.django_db


def english(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def export_url(person):
    return reverse("admin:accounts_user_privacy_export", args=[person.pk])


def erase_url(person):
    return reverse("admin:accounts_user_privacy_erase", args=[person.pk])


def files_of(response):
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: json.loads(archive.read(name)) for name in archive.namelist()}


def test_p5_a_manager_of_all_their_organisations_downloads_their_data(world, client, bob, alice):
    response = english(client, bob).get(export_url(alice))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    assert files_of(response)["profile.json"]["phone"] == ALICE_PHONE


def test_p5_the_persons_page_offers_export_and_erasure(world, client, bob, alice):
    page = english(client, bob).get(reverse("admin:accounts_user_change", args=[alice.pk]))
    assert export_url(alice) in page.content.decode()
    assert erase_url(alice) in page.content.decode()


def test_p5_a_manager_of_only_one_of_their_organisations_is_refused(world, client, bob, alice):
    elsewhere = OrganisationFactory(name="Parc Horizon")
    alice.memberships.create(organisation=elsewhere)
    english(client, bob)
    for url in (export_url(alice), erase_url(alice)):
        response = client.get(url)
        assert response.status_code == 403
        assert "zip" not in response.get("Content-Type", "")
    assert client.post(erase_url(alice), {"reason": "x", "confirm": "on"}).status_code == 403
    alice.refresh_from_db()
    assert alice.is_active
    page = client.get(reverse("admin:accounts_user_change", args=[alice.pk]))
    assert export_url(alice) not in page.content.decode()


def test_p5_another_organisations_manager_does_not_find_them(world, client, alice, manager_of):
    stranger = manager_of(OrganisationFactory(name="Parc Horizon"))
    english(client, stranger)
    assert client.get(export_url(alice)).status_code == 404
    assert client.post(erase_url(alice), {"reason": "x", "confirm": "on"}).status_code == 404


def test_p5_a_manager_of_both_organisations_may(world, client, alice, organisation, manager_of):
    elsewhere = OrganisationFactory(name="Parc Horizon")
    alice.memberships.create(organisation=elsewhere)
    both = manager_of(organisation, elsewhere)
    assert english(client, both).get(export_url(alice)).status_code == 200


def test_p5_an_occupant_has_no_back_office_export(world, client, alice, carole):
    response = english(client, carole).get(export_url(alice))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_p5_the_export_action_gives_one_persons_archive(world, client, bob, alice, carole):
    changelist = reverse("admin:accounts_user_changelist")
    english(client, bob)
    one = client.post(changelist, {"action": "export_data", "_selected_action": [alice.pk]})
    assert one["Content-Type"] == "application/zip"
    two = client.post(
        changelist, {"action": "export_data", "_selected_action": [alice.pk, carole.pk]}
    )
    assert two.status_code == 302
    assert [str(m) for m in get_messages(two.wsgi_request)] == ["Choose one person at a time."]


def test_p5_the_export_action_refuses_a_person_of_another_organisation_too(
    world, client, bob, alice
):
    alice.memberships.create(organisation=OrganisationFactory(name="Parc Horizon"))
    changelist = reverse("admin:accounts_user_changelist")
    response = english(client, bob).post(
        changelist, {"action": "export_data", "_selected_action": [alice.pk]}
    )
    assert response.status_code == 302
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith("Only a manager of every organisation")


def test_p5_erasure_asks_for_confirmation_and_a_reason(world, client, bob, alice):
    english(client, bob)
    page = client.get(erase_url(alice))
    assert page.status_code == 200
    assert 'name="reason"' in page.content.decode() and 'name="confirm"' in page.content.decode()
    refused = client.post(erase_url(alice), {"reason": "", "confirm": "on"})
    assert refused.status_code == 200
    assert not ErasureRecord.objects.exists()
    done = client.post(erase_url(alice), {"reason": "Demande écrite du 2 mars", "confirm": "on"})
    assert done.status_code == 302
    alice.refresh_from_db()
    assert not alice.is_active and alice.display_name == ""
    assert ErasureRecord.objects.get().erased_by == bob


def test_p5_the_erase_action_leads_to_the_confirmation(world, client, bob, alice):
    changelist = reverse("admin:accounts_user_changelist")
    response = english(client, bob).post(
        changelist, {"action": "erase", "_selected_action": [alice.pk]}
    )
    assert response.status_code == 302 and response["Location"] == erase_url(alice)


def test_p5_managers_read_the_erasure_records_of_their_organisations_only(
    world, client, bob, alice, manager_of
):
    english(client, bob).post(erase_url(alice), {"reason": "Demande", "confirm": "on"})
    records = reverse("admin:privacy_erasurerecord_changelist")
    assert "Demande" in client.get(records).content.decode()
    stranger = manager_of(OrganisationFactory(name="Parc Horizon"))
    assert "Demande" not in english(client, stranger).get(records).content.decode()


def test_p5_a_person_downloads_their_own_data_from_the_portal(world, client, alice):
    english(client, alice)
    page = client.get(reverse("notifications:preferences"))
    assert reverse("privacy:download") in page.content.decode()
    response = client.post(reverse("privacy:download"))
    assert response.status_code == 200
    files = files_of(response)
    assert files["profile.json"]["email"] == "alice@example.test"
    assert "Carole Petit" not in json.dumps(files, ensure_ascii=False)


def test_p5_the_portal_download_is_rate_limited_and_for_the_logged_in_only(world, client, alice):
    url = reverse("privacy:download")
    assert client.post(url).status_code == 302  # to the login page
    english(client, alice)
    assert client.get(url).status_code == 405  # a download a link cannot trigger
    for _ in range(3):
        assert client.post(url).status_code == 200
    refused = client.post(url)
    assert refused.status_code == 302
    assert "try again in an hour" in str(next(iter(get_messages(refused.wsgi_request))))


def test_p5_retention_months_are_set_in_the_organisations_admin(client, bob, organisation):
    url = reverse("admin:accounts_organisation_change", args=[organisation.pk])
    english(client, bob)
    assert 'name="retention_months"' in client.get(url).content.decode()
    form = {
        "name": organisation.name,
        "time_zone": "Europe/Paris",
        "sending_mode": organisation.sending_mode,
        "test_recipients": "",
        "sites-TOTAL_FORMS": "0",
        "sites-INITIAL_FORMS": "0",
    }
    assert client.post(url, {**form, "retention_months": "0"}).status_code == 200  # refused
    organisation.refresh_from_db()
    assert organisation.retention_months == 13
    assert client.post(url, {**form, "retention_months": "6"}).status_code == 302
    organisation.refresh_from_db()
    assert organisation.retention_months == 6
