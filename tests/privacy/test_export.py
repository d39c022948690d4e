"""Export of one person's data (SPEC P-5): every app's rows about them, nobody else's."""

import io
import json
import zipfile

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from privacy.archive import gather, zipped
from privacy.erasure import erase_person
from tests.factories import member
from tests.privacy.conftest import ALICE, ALICE_PHONE, OTHERS, message

pytestmark = pytest.mark.django_db


def unzip(content):
    """{file name: parsed JSON} of an archive."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: json.loads(archive.read(name)) for name in archive.namelist()}


def test_p5_export_holds_every_apps_data_about_the_person(world, alice):
    files = unzip(zipped(alice))
    assert files["profile.json"]["email"] == "alice@example.test"
    assert files["profile.json"]["phone"] == ALICE_PHONE
    assert files["memberships.json"] == [
        {"role": "occupant", "organisation": "Résidence Les Tilleuls"}
    ]
    assert files["preferences.json"] == [
        {"group": "requests", "channel": "email", "enabled": False}
    ]
    assert [d["name"] for d in files["push_devices.json"]] == ["Pixel"]
    assert [a["ip_address"] for a in files["failed_logins.json"]] == ["203.0.113.5"]
    assert {r["kind"] for r in files["consent_ledger.json"]} == {"stop", "preference"}
    assert [s["number"] for s in files["stops.json"]] == [ALICE_PHONE]
    (request,) = files["requests.json"]
    assert request["title"] == "Fuite chez Alice Durand" and request["declared_by_them"]
    assert "Merci, je serai là." in [c["body"] for c in request["comments"]]
    (invitation,) = files["visits_invited_to.json"]
    assert invitation["name"] == "Alice Durand" and invitation["visit"]["site"] == "Bâtiment A"
    titles = {b["title"] for b in files["bookings.json"]}
    assert titles == {"Réunion des voisins", ""}  # hers, and Carole's where she is a guest
    assert [g["email"] for g in files["as_client_without_account.json"]] == ["alice@example.test"]
    (occupant,) = files["alerts.json"]
    assert occupant["contact_points"] == [{"method": "sms", "address": ALICE_PHONE}]
    (client,) = files["work_orders.json"]
    assert client["work_orders"][0]["asset"] == "Téléphone"
    (sent,) = files["messages.json"]
    assert sent["body"].startswith("Bonjour Alice Durand")
    assert set(files["index.json"]["files"]) == set(files) - {"index.json"}


def test_p5_export_redacts_everyone_else_in_the_same_rows(world, alice):
    content = json.dumps(unzip(zipped(alice)), ensure_ascii=False)
    for value in OTHERS:
        assert value.lower() not in content.lower(), value
    assert "[redacted]" in content
    for value in ALICE:
        assert value in content


def test_p5_export_of_another_person_holds_none_of_alices_data(world, carole):
    content = json.dumps(gather(carole).redacted(), ensure_ascii=False, cls=DjangoJSONEncoder)
    assert "Bonjour Carole Petit" in content
    for value in ALICE:  # the request she follows is in it, its declarant redacted
        assert value.lower() not in content.lower(), value


def test_p5_every_installed_domain_declares_its_privacy_part():
    from privacy.registry import sections

    labels = [label for label, _module in sections()]
    expected = ["requests_center", "visitors", "workorders", "bookings", "alerts"]
    assert set(expected) <= set(labels)
    assert labels[-2:] == ["notifications", "accounts"]  # the engine, then the account, last


def test_p5_a_shared_numbers_messages_to_someone_else_stay_theirs(world, alice, bob, organisation):
    eve = member(
        organisation, email="eve@example.test", display_name="Ève Blanc", phone=ALICE_PHONE
    )
    to_eve = message(eve, "Bonjour Ève Blanc, votre colis est arrivé.")
    type(to_eve).objects.filter(pk=to_eve.pk).update(channel="sms", address=ALICE_PHONE)
    content = json.dumps(unzip(zipped(alice)), ensure_ascii=False)
    assert "Ève Blanc" not in content and "colis" not in content
    erase_person(alice, by=bob, reason="Demande")
    to_eve.refresh_from_db()
    assert (
        to_eve.body == "Bonjour Ève Blanc, votre colis est arrivé." and to_eve.redacted_at is None
    )
