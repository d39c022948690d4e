"""The operator page and the back office (SPEC A-5, A-6, A-8, A-9, A-10, P-3)."""

import pytest
from django.urls import reverse

from accounts.models import Role
from alerts import services
from alerts.models import Broadcast, ContactPoint, RouteRun
from notifications import batches
from notifications.models import Delivery, Rule
from notifications.rules import customise
from tests.alerts.conftest import (
    ALICE_MOBILE,
    CARL_MOBILE,
    DORA_MOBILE,
    confirm_sms,
    make_occupant,
    sent_to,
)
from tests.factories import OrganisationFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def street(client, fake_provider, alice, carl, dora, on_commit):
    for occupant, number in ((alice, ALICE_MOBILE), (carl, CARL_MOBILE), (dora, DORA_MOBILE)):
        confirm_sms(client, occupant, number, on_commit)
    fake_provider.received.clear()


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob)
    return client


def test_a5_the_operator_starts_a_buffered_run_and_serves_contract_after_contract(
    bob_client, fake_provider, street, nord, contracts, on_commit
):
    page = bob_client.get(reverse("alerts:operator"))
    assert "Nord" in page.content.decode()
    with on_commit():
        answer = bob_client.post(
            reverse("alerts:start", args=[nord.pk]), {"mode": "buffer", "buffer_size": "2"}
        )
    run = RouteRun.objects.get()
    assert answer.url == reverse("alerts:run", args=[run.pk])
    assert len(fake_provider.sent("sms")) == 2
    first = run.stops.get(order=1)
    served_url = reverse("alerts:serve", args=[run.pk, first.pk])
    assert bob_client.get(served_url).status_code == 405  # GET never acts
    with on_commit():
        bob_client.post(served_url)
    assert len(fake_provider.sent("sms")) == 3
    page = bob_client.get(reverse("alerts:run", args=[run.pk])).content.decode()
    assert 'data-count="sent">3<' in page


def test_a5_junk_in_the_start_form_is_a_clear_error_not_a_500(bob_client, street, nord):
    answer = bob_client.post(
        reverse("alerts:start", args=[nord.pk]),
        {"mode": "buffer", "buffer_size": "-4"},
        follow=True,
    )
    assert answer.status_code == 200
    assert not RouteRun.objects.exists()


def test_p3_another_organisations_manager_gets_404_on_the_operator_pages(
    client, street, nord, bob, on_commit
):
    with on_commit():
        run = services.start_run(nord, bob)
    carol = member(OrganisationFactory(name="Neige Plus"), Role.MANAGER, email="carol@x.test")
    client.force_login(carol)
    assert "Nord" not in client.get(reverse("alerts:operator")).content.decode()
    assert client.post(reverse("alerts:start", args=[nord.pk]), {"mode": "all"}).status_code == 404
    assert client.get(reverse("alerts:run", args=[run.pk])).status_code == 404
    stop = run.stops.first()
    assert client.post(reverse("alerts:serve", args=[run.pk, stop.pk])).status_code == 404
    assert client.post(reverse("alerts:end", args=[run.pk])).status_code == 404
    assert client.get(reverse("admin:alerts_route_start_run", args=[nord.pk])).status_code in (
        302,
        404,
    )


def test_a5_the_routes_admin_button_starts_a_run_and_leads_to_its_batch_page(
    bob_client, fake_provider, street, nord, on_commit
):
    url = reverse("admin:alerts_route_start_run", args=[nord.pk])
    assert bob_client.get(url).status_code == 200
    with on_commit():
        answer = bob_client.post(url, {"mode": "all", "buffer_size": "5"})
    run = RouteRun.objects.get()
    assert answer.url == reverse("admin:notifications_batch_change", args=[run.batch_id])
    page = bob_client.get(answer.url).content.decode()
    assert "Nord" in page
    assert batches.counts(run.batch).sent == 3
    route_page = bob_client.get(reverse("admin:alerts_route_change", args=[nord.pk]))
    assert answer.url in route_page.content.decode()  # the route lists its runs


def test_a2_the_contact_points_admin_shows_each_colour_and_refuses_duplicates(
    bob_client, fake_provider, street, alice, carl, on_commit
):
    page = bob_client.get(reverse("admin:alerts_contactpoint_changelist")).content.decode()
    assert "alerts-accepted" in page and "#2e7d32" in page
    answer = bob_client.post(
        reverse("admin:alerts_contactpoint_add"),
        {"occupant": carl.pk, "method": "email", "address": "x@"},
    )
    assert answer.status_code == 200 and ContactPoint.objects.count() == 3
    eve = make_occupant(carl.company, "Ève Pelletier", *carl.contracts.all())
    answer = bob_client.post(
        reverse("admin:alerts_contactpoint_add"),
        {"occupant": eve.pk, "method": "sms", "address": ALICE_MOBILE},
    )
    assert answer.status_code == 200 and "Alice Tremblay" in answer.content.decode()
    assert not eve.contact_points.exists()
    with on_commit():
        answer = bob_client.post(
            reverse("admin:alerts_contactpoint_add"),
            {"occupant": eve.pk, "method": "sms", "address": "+1 514 234 5681"},
        )
    assert answer.status_code == 302
    assert eve.contact_points.get().address == "+15142345681"
    assert len(sent_to(fake_provider, "sms", "+15142345681")) == 1  # its request left


def test_a8_the_delivery_log_finds_what_was_sent_to_a_number_as_typed(
    bob_client, fake_provider, street, nord, bob, on_commit
):
    with on_commit():
        services.start_run(nord, bob)
    log = reverse("admin:notifications_delivery_changelist")
    page = bob_client.get(log, {"q": ALICE_MOBILE}).content.decode()
    assert "12, rue des Érables" in page or ALICE_MOBILE in page
    rows = Delivery.objects.filter(address=ALICE_MOBILE, event__code="alerts.truck_coming")
    assert rows.get().status == Delivery.Status.SENT
    point = ContactPoint.objects.get(address=ALICE_MOBILE)
    change = bob_client.get(reverse("admin:alerts_contactpoint_change", args=[point.pk]))
    assert "q=%2B1514" in change.content.decode() or "q=" in change.content.decode()


def test_a9_the_contracts_page_shows_its_log_alerts_consent_runs_and_edits(
    bob_client, fake_provider, street, nord, contracts, bob, on_commit
):
    contracts[0].address = "12A, rue des Érables"
    services.save_contract(contracts[0], bob)
    with on_commit():
        services.start_run(nord, bob)
    page = bob_client.get(reverse("admin:alerts_contract_change", args=[contracts[0].pk]))
    text = page.content.decode()
    assert "12A, rue des Érables" in text
    assert ALICE_MOBILE in text  # the consent records and the alert
    assert "Nord" in text  # the run


def test_a6_a_companys_own_text_replaces_the_default_in_its_alerts(
    fake_provider, street, nord, bob, on_commit
):
    default = Rule.objects.get(default_key="alerts.truck_coming/occupants")
    own, _created = customise(default, nord.company.organisation)
    own.templates.filter(channel="sms", language="fr").update(
        body="Boréal arrive au {{ address }} vers {{ expected_time }}."
    )
    with on_commit():
        services.start_run(nord, bob)
    (sms,) = sent_to(fake_provider, "sms", ALICE_MOBILE)
    assert sms["Body"] == "Boréal arrive au 12, rue des Érables vers 12:00."


def test_a10_a_broadcast_reaches_the_contracts_chosen_and_resends_the_failed(
    bob_client, fake_provider, street, boreal, contracts, bob, on_commit
):
    contracts[2].city = "Montréal"
    services.save_contract(contracts[2], bob)
    url = reverse("admin:alerts_broadcast_send", args=[boreal.pk])
    preview = bob_client.post(
        url, {"message": "Tempête", "cities": "Laval", "enabled_only": "on", "preview": "1"}
    )
    assert (
        "2 contrats" in preview.content.decode() or "choose 2 contracts" in preview.content.decode()
    )
    assert not Broadcast.objects.exists()  # counting sends nothing
    from tests.fake_provider import twilio_error

    fake_provider.fail = lambda request: (
        twilio_error(21614) if request.body.get("To") == CARL_MOBILE else None
    )  # Carl's number cannot take texts today
    with on_commit():
        answer = bob_client.post(
            url, {"message": "Tempête cette nuit", "cities": "Laval", "enabled_only": "on"}
        )
    broadcast = Broadcast.objects.get()
    assert answer.url == reverse("admin:notifications_batch_change", args=[broadcast.batch_id])
    texted = [r.body["To"] for r in fake_provider.sent("sms")]
    assert sorted(texted) == [ALICE_MOBILE, CARL_MOBILE]  # not Dora, in Montréal
    assert "Tempête cette nuit" in fake_provider.sent("sms")[0].body["Body"]
    counts = batches.counts(broadcast.batch)
    assert (counts.targeted, counts.sent, counts.failed) == (2, 1, 1)
    page = bob_client.get(answer.url).content.decode()
    assert "resend-failed" in page
    fake_provider.fail = None
    with on_commit():
        bob_client.post(
            reverse("admin:notifications_batch_resend_failed", args=[broadcast.batch_id])
        )
    counts = batches.counts(broadcast.batch)
    assert (counts.sent, counts.failed) == (2, 0)
    assert [r.body["To"] for r in fake_provider.sent("sms")].count(CARL_MOBILE) == 2


def test_a10_a_broadcast_on_a_switched_off_company_is_refused(bob_client, street, boreal):
    boreal.alerts_enabled = False
    boreal.save()
    url = reverse("admin:alerts_broadcast_send", args=[boreal.pk])
    answer = bob_client.post(url, {"message": "Tempête", "enabled_only": "on"})
    assert answer.status_code == 200 and not Broadcast.objects.exists()


def test_a2_the_contact_points_list_filters_by_colour(
    bob_client, client, fake_provider, street, on_commit
):
    from tests.alerts.conftest import reply

    reply(client, CARL_MOBILE, "STOP")
    url = reverse("admin:alerts_contactpoint_changelist")
    stopped = bob_client.get(url, {"colour": "stop"}).content.decode()
    assert CARL_MOBILE in stopped and ALICE_MOBILE not in stopped
    green = bob_client.get(url, {"colour": "accepted"}).content.decode()
    assert ALICE_MOBILE in green and CARL_MOBILE not in green


@pytest.mark.parametrize("code", ["alerts.truck_coming", "alerts.opt_in_request"])
def test_a6_each_shipped_sms_with_its_example_values_is_one_gsm7_segment(code):
    """é and è are GSM-7, ê and ç are not: the shipped texts keep to one segment (one price)."""
    from notifications.channels.sms import segment_info
    from notifications.events import get_event_type
    from notifications.models import MessageTemplate
    from notifications.templating import render

    example = get_event_type(code).example_context()
    for sms in MessageTemplate.objects.filter(rule__event_code=code, channel="sms"):
        body = render("", sms.body, "", example, sms.language, "America/Toronto").body
        length = segment_info(body)
        assert (length.encoding, length.segments) == ("GSM-7", 1), (sms.language, length)


def test_a2_a_manager_records_an_acceptance_given_by_phone_but_not_over_a_stop(
    bob_client, client, fake_provider, alice, carl, bob, on_commit
):
    from alerts.consent import Colour, colour_of
    from notifications.consent.models import ConsentRecord
    from tests.alerts.conftest import reply

    with on_commit():
        asked = services.add_contact_point(alice, "voice", "+1 450 234 5678", bob)
        stopped = services.add_contact_point(carl, "sms", CARL_MOBILE, bob)
    reply(client, CARL_MOBILE, "STOP")
    url = reverse("admin:alerts_contactpoint_changelist")
    bob_client.post(url, {"action": "accept_by_phone", "_selected_action": [asked.pk, stopped.pk]})
    assert colour_of(asked) == Colour.ACCEPTED
    assert colour_of(stopped) == Colour.STOP
    entry = ConsentRecord.objects.filter(address=asked.address).first()
    assert entry.method == "admin" and entry.admin_user == bob


def test_a5_the_run_counts_answer_only_the_companys_managers(bob_client, street, nord):
    from django.test import Client

    bob_client.post(reverse("alerts:start", args=[nord.pk]), {"mode": "all", "buffer_size": 3})
    run = RouteRun.objects.get()
    counts = bob_client.get(reverse("alerts:run_counts", args=[run.pk])).json()
    assert counts["targeted"] == run.batch.targeted and "live" in counts
    outsider = member(OrganisationFactory(), Role.MANAGER, email="other@example.test")
    other = Client()
    other.force_login(outsider)
    assert other.get(reverse("alerts:run_counts", args=[run.pk])).status_code == 404
