"""Route runs (SPEC A-5, A-7): all at once, buffer N, reverse; one batch; one alert per occupant
per day; texts and calls only 07:00–20:00 in the company's zone, and never late."""

import datetime

import pytest

from alerts import services
from alerts.models import Route, RouteRun
from notifications import batches, outbox, sending
from notifications.channels.sms import segment_info
from notifications.models import Delivery
from tests.alerts.conftest import (
    ALICE_MOBILE,
    CARL_MOBILE,
    DORA_MOBILE,
    alerts_of,
    confirm_sms,
    make_contract,
    sent_to,
)

pytestmark = pytest.mark.django_db
Skip = Delivery.Skip


def green_email(occupant, address, on_commit):
    with on_commit():
        point = services.add_contact_point(occupant, "email", address)
    services.answer_by_link(point, True, "Oui", "/alerts/c/x/")
    return point


@pytest.fixture
def street(client, fake_provider, alice, carl, dora, on_commit):
    """Alice green by SMS and email, Carl only asked (yellow), Dora green by SMS."""
    confirm_sms(client, alice, ALICE_MOBILE, on_commit)
    green_email(alice, "alice@example.org", on_commit)
    with on_commit():
        services.add_contact_point(carl, "sms", CARL_MOBILE)
    confirm_sms(client, dora, DORA_MOBILE, on_commit)
    fake_provider.received.clear()
    return alice, carl, dora


def alerted(fake_provider):
    return sorted(r.body["To"] for r in fake_provider.sent("sms"))


def test_a5_all_at_once_alerts_every_green_point_of_the_route_in_its_companys_words(
    fake_provider, street, nord, bob, on_commit
):
    with on_commit():
        run = services.start_run(nord, bob, mode=RouteRun.Mode.ALL)
    assert alerted(fake_provider) == [ALICE_MOBILE, DORA_MOBILE]  # Carl never said OUI
    (sms,) = sent_to(fake_provider, "sms", ALICE_MOBILE)
    assert "Déneigement Boréal" in sms["Body"] and "12, rue des Érables" in sms["Body"]
    assert "12:00" in sms["Body"]  # the truck's first stop: expected now
    assert segment_info(sms["Body"]).encoding == "GSM-7"  # é and è are GSM-7: one price
    (email,) = sent_to(fake_provider, "email", "alice@example.org")
    assert "Déneigement au 12, rue des Érables" in email["subject"]
    (english,) = sent_to(fake_provider, "sms", DORA_MOBILE)
    assert "Snow removal at 16, rue des Érables around 12:08" in english["Body"]
    counts = batches.counts(run.batch)
    assert (counts.targeted, counts.sent) == (3, 3)
    assert counts.skipped.get(Skip.NO_CONTACT)  # Carl's yellow number, and missing methods
    assert set(alerts_of(run.batch).values_list("priority", flat=True)) == {"bulk"}


def test_a5_buffer_alerts_the_first_n_then_the_next_as_each_is_served(
    fake_provider, street, nord, contracts, bob, on_commit
):
    with on_commit():
        run = services.start_run(nord, bob, mode=RouteRun.Mode.BUFFER, buffer_size=1)
    assert alerted(fake_provider) == [ALICE_MOBILE]
    with on_commit():
        services.serve(run, contracts[0], bob)  # Carl's turn: yellow, nothing leaves
    assert alerted(fake_provider) == [ALICE_MOBILE]
    with on_commit():
        services.serve(run, contracts[1], bob)
    assert alerted(fake_provider) == [ALICE_MOBILE, DORA_MOBILE]
    with on_commit():
        services.serve(run, contracts[2], bob)
    run.refresh_from_db()
    assert not run.is_running  # every contract served: the run ends itself


def test_a5_reverse_order_starts_from_the_routes_end(fake_provider, street, nord, bob, on_commit):
    with on_commit():
        services.start_run(nord, bob, mode=RouteRun.Mode.BUFFER, buffer_size=1, reverse=True)
    assert alerted(fake_provider) == [DORA_MOBILE]


def test_a5_a_contract_served_before_its_alert_left_is_never_alerted(
    fake_provider, street, nord, contracts, bob, on_commit, monkeypatch
):
    held = []
    monkeypatch.setattr(outbox, "queue_sends", lambda rows, countdown=None: held.extend(rows))
    with on_commit():
        run = services.start_run(nord, bob)
    assert held
    with on_commit():
        services.serve(run, contracts[0], bob)
    for delivery_id, _priority in held:
        sending.send(delivery_id)
    assert alerted(fake_provider) == [DORA_MOBILE]
    stale = alerts_of(run.batch).filter(address=ALICE_MOBILE).get()
    assert (stale.status, stale.reason_code) == (Delivery.Status.CANCELLED, Skip.EXPIRED)
    services.end_run(run, bob)
    assert batches.counts(run.batch).pending == 0


def test_a5_ending_a_run_makes_what_waits_stale(
    fake_provider, street, nord, bob, on_commit, monkeypatch
):
    held = []
    monkeypatch.setattr(outbox, "queue_sends", lambda rows, countdown=None: held.extend(rows))
    with on_commit():
        run = services.start_run(nord, bob)
    services.end_run(run, bob)
    for delivery_id, _priority in held:
        sending.send(delivery_id)
    assert fake_provider.sent("sms") == []


def test_a7_at_most_one_alert_per_occupant_per_day_the_second_run_skips_with_cap(
    fake_provider, street, boreal, nord, contracts, bob, on_commit
):
    alice = street[0]
    sud = Route.objects.create(company=boreal, name="Sud")
    alice.contracts.add(make_contract(boreal, sud, 1, "2, rue du Parc"))  # her cabin
    with on_commit():
        services.start_run(nord, bob)
    with on_commit():
        second = services.start_run(sud, bob)
    assert len(sent_to(fake_provider, "sms", ALICE_MOBILE)) == 1
    assert len(sent_to(fake_provider, "email", "alice@example.org")) == 1
    capped = alerts_of(second.batch).filter(reason_code=Skip.CAP)
    assert set(capped.values_list("address", flat=True)) == {ALICE_MOBILE, "alice@example.org"}


def test_a7_the_day_of_the_cap_is_the_companys_not_its_organisations(
    fake_provider, street, boreal, nord, bob, on_commit, noon
):
    boreal.organisation.time_zone = "Europe/Paris"  # a Quebec company of a French group
    boreal.organisation.save()
    alice = street[0]
    sud = Route.objects.create(company=boreal, name="Sud")
    alice.contracts.add(make_contract(boreal, sud, 1, "2, rue du Parc"))
    noon.move_to(datetime.datetime(2026, 12, 10, 17, 0, tzinfo=nord.company.zone))
    with on_commit():
        services.start_run(nord, bob)  # 23:00 in Paris
    noon.move_to(datetime.datetime(2026, 12, 10, 19, 0, tzinfo=nord.company.zone))
    with on_commit():
        second = services.start_run(sud, bob)  # 01:00 the next day in Paris, same day here
    assert len(sent_to(fake_provider, "sms", ALICE_MOBILE)) == 1
    assert alerts_of(second.batch).filter(reason_code=Skip.CAP).exists()


def test_a7_texts_and_calls_outside_7_to_20_are_skipped_never_sent_next_morning(
    fake_provider, street, nord, bob, on_commit, noon
):
    noon.move_to(datetime.datetime(2026, 12, 11, 5, 30, tzinfo=nord.company.zone))
    with on_commit():
        run = services.start_run(nord, bob)
    assert fake_provider.sent("sms") == []
    assert len(sent_to(fake_provider, "email", "alice@example.org")) == 1  # email: any time
    skipped = alerts_of(run.batch).filter(reason_code=Skip.QUIET_HOURS)
    assert set(skipped.values_list("address", flat=True)) == {ALICE_MOBILE, DORA_MOBILE}
    assert not alerts_of(run.batch).filter(status=Delivery.Status.SCHEDULED).exists()


def test_a7_a_text_paced_past_20_00_is_skipped_when_its_turn_comes(
    fake_provider, street, nord, bob, on_commit, noon, monkeypatch
):
    held = []
    monkeypatch.setattr(outbox, "queue_sends", lambda rows, countdown=None: held.extend(rows))
    noon.move_to(datetime.datetime(2026, 12, 10, 19, 59, tzinfo=nord.company.zone))
    with on_commit():
        run = services.start_run(nord, bob)
    noon.move_to(datetime.datetime(2026, 12, 10, 20, 1, tzinfo=nord.company.zone))
    for delivery_id, _priority in held:
        sending.send(delivery_id)
    assert fake_provider.sent("sms") == []
    assert alerts_of(run.batch).filter(reason_code=Skip.QUIET_HOURS).count() == 2


def test_a1_a5_a_run_on_a_switched_off_company_is_refused_and_sends_nothing(
    fake_provider, street, nord, bob
):
    nord.company.alerts_enabled = False
    nord.company.save()
    with pytest.raises(services.RunError, match="off|désactiv"):
        services.start_run(nord, bob)
    assert not RouteRun.objects.exists()


def test_a1_contracts_switched_off_inactive_or_without_service_are_not_alerted(
    fake_provider, street, nord, contracts, bob, on_commit
):
    contracts[0].alerts_enabled = False
    services.save_contract(contracts[0], bob)
    contracts[2].services.clear()
    with on_commit():
        run = services.start_run(nord, bob)
    assert fake_provider.sent("sms") == []
    assert list(run.stops.values_list("contract", flat=True)) == [contracts[1].pk]


def test_a5_a_route_runs_once_at_a_time(fake_provider, street, nord, bob, on_commit):
    with on_commit():
        services.start_run(nord, bob)
    with pytest.raises(services.RunError):
        services.start_run(nord, bob)


def test_n21_a5_a_paced_run_says_when_it_will_finish_before_it_sends(
    fake_provider, street, nord, bob, on_commit, settings, monkeypatch, client
):
    settings.RELAIS_SEND_RATES = {"sms": 0.5}  # one text every two seconds
    monkeypatch.setattr(outbox, "queue_sends", lambda rows, countdown=None: None)
    with on_commit():
        run = services.start_run(nord, bob)
    counts = batches.counts(run.batch)
    finish = batches.expected_finish(run.batch, counts)
    assert counts.pending == 3
    assert finish is not None and finish > run.started_at


def test_a1_a_contract_cannot_take_another_companys_route(boreal, contracts, bob):
    from django.core.exceptions import ValidationError

    from alerts.models import Company

    other = Company.objects.create(organisation=boreal.organisation, name="Autre")
    contracts[0].route = Route.objects.create(company=other, name="Ailleurs")
    with pytest.raises(ValidationError):
        services.save_contract(contracts[0], bob)


def test_a2_the_person_told_is_the_one_to_contact_not_the_contract_holder(
    fake_provider, street, nord, contracts, bob, on_commit
):
    contracts[0].holder = "Gestion Immobilière Laval inc."
    services.save_contract(contracts[0], bob)
    with on_commit():
        services.start_run(nord, bob)
    (email,) = sent_to(fake_provider, "email", "alice@example.org")
    assert email["to"][0]["name"] == "Alice Tremblay"
    assert "Bonjour Alice Tremblay" in email["textContent"]
    assert "Gestion Immobilière" not in email["textContent"]
