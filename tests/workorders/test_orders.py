"""Work orders (SPEC R-8): statuses each shop defines, each with its own triggers; the client,
the specialists and the managers told apart; a client without an account reached by email and
SMS, with a signed link to the order's status page."""

import re

import pytest
from django.core import mail
from django.utils import translation

from accounts.models import Role
from notifications.events import get_event_type
from notifications.models import Delivery, Rule
from notifications.previews import preview
from tests.factories import OrganisationFactory, member
from tests.workorders.conftest import sent
from workorders import services
from workorders.models import Client, WorkOrderStatus

pytestmark = pytest.mark.django_db
ORDER_EVENTS = ["workorders.created", "workorders.specialist_assigned", "workorders.status_changed"]


def status_link(text):
    return re.search(r"http://\S+/orders/status/\S+/", text).group()


def test_r8_a_client_without_an_account_gets_the_new_order_by_email_and_sms_with_its_link(
    client, fake_provider, phone_order
):
    (email,) = fake_provider.sent("email")
    assert email.body["to"] == [{"email": "claire.petit@example.fr", "name": "Claire Petit"}]
    assert email.body["subject"] == f"Commande n°\u00a0{phone_order.pk} enregistrée"
    assert "iPhone 12 (n° de série F2LZK1ABCD)" in email.body["textContent"]
    (sms,) = fake_provider.sent("sms")
    assert sms.body["To"] == "+33612345678"
    assert f"commande n°\u00a0{phone_order.pk} (iPhone 12) enregistrée" in sms.body["Body"]

    page = client.get(status_link(sms.body["Body"]))  # no login: a stranger's phone
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    text = page.content.decode()
    assert f"Commande n°\u00a0{phone_order.pk}" in text and "Nouveau" in text
    assert "189,00 €" in text and "139,00 €" in text  # price, and what is left to pay
    deliveries = Delivery.objects.concerning(phone_order).filter(recipient_key__startswith="work")
    assert {d.recipient_key for d in deliveries} == {f"workorders.client:{phone_order.client_id}"}


def test_r8_status_becomes_closed_sends_the_client_the_details_and_price(
    phone_order, statuses, bob, on_commit
):
    mail.outbox.clear()
    phone_order.work_done = "Écran remplacé, batterie contrôlée."
    with on_commit():
        services.change_status(phone_order, statuses["closed"], bob)
    (email,) = mail.outbox
    assert email.subject == f"Commande n°\u00a0{phone_order.pk} fermée\u00a0: iPhone 12"
    assert "Travaux réalisés\u00a0: Écran remplacé, batterie contrôlée." in email.body
    assert "Prix\u00a0: 189,00\u00a0€" in email.body
    assert "Reste à payer\u00a0: 139,00\u00a0€" in email.body
    assert sent("workorders.status_changed", "sms") == [
        ("+33612345678", "sms", ""),
    ]
    phone_order.refresh_from_db()
    assert phone_order.closed_at is not None


def test_r8_only_the_statuses_with_a_trigger_reach_the_client(
    phone_order, statuses, theo, on_commit
):
    """In progress has no shipped message; ready has one."""
    with on_commit():
        services.change_status(phone_order, statuses["in_progress"], theo)
    assert sent("workorders.status_changed") == []
    with on_commit():
        services.change_status(phone_order, statuses["ready"], theo)
    subjects = {subject for _address, _channel, subject in sent("workorders.status_changed")}
    assert subjects == {f"Commande n°\u00a0{phone_order.pk} prête", ""}  # email, and the SMS


def test_r8_a_custom_status_added_by_a_manager_triggers_its_own_message(
    shop, phone_order, statuses, bob, on_commit
):
    waiting = services.save_status(
        WorkOrderStatus(organisation=shop, name="Attente pièces", kind="waiting", position=15)
    )
    services.add_trigger(
        waiting,
        role="client",
        channels=["sms"],
        subject="",
        body="{{ company_name }}\u00a0: la pièce de votre {{ asset }} est commandée.",
        language="fr",
    )
    with on_commit():
        services.change_status(phone_order, statuses["in_progress"], bob)
        services.change_status(phone_order, waiting, bob)
    [delivery] = Delivery.objects.filter(
        event__code="workorders.status_changed", status=Delivery.Status.SENT
    )
    assert delivery.body == "Atelier Réparfix\u00a0: la pièce de votre iPhone 12 est commandée."
    assert delivery.event.data["status_name"] == "Attente pièces"

    with on_commit():  # another status does not send the waiting status's message
        services.change_status(phone_order, statuses["in_progress"], bob)
    assert Delivery.objects.filter(event__code="workorders.status_changed").count() == 1


def test_r8_a_status_trigger_is_its_own_organisations(shop, statuses, on_commit):
    """A status's rule names its organisation: another shop's orders never send it."""
    rule = services.add_trigger(
        statuses["in_progress"], role="client", channels=["email"], subject="En cours",
        body="Nous y travaillons.", language="fr",
    )  # fmt: skip
    elsewhere = OrganisationFactory(name="Répar’Express", sending_mode="production")
    other = {s.kind: s for s in services.ensure_statuses(elsewhere)}
    boss = member(elsewhere, Role.MANAGER, email="boss@example.test")
    marc = services.save_client(Client(organisation=elsewhere, name="Marc", email="m@example.fr"))
    with on_commit():
        order = services.open_order(
            elsewhere, client=marc, asset="Vélo", malfunction="Frein", actor=boss
        )
        services.change_status(order, other["in_progress"], boss)
    assert rule.organisation == shop
    assert not Delivery.objects.filter(rule=rule).exists()


def test_r8_the_three_groups_have_their_own_rules(
    shop, phone_order, statuses, bob, theo, on_commit
):
    """The specialist hears of the assignment, the client does not; a managers' trigger
    reaches the managers, never the client."""
    services.add_trigger(
        statuses["ready"], role="managers", channels=["inapp"], subject="Prête",
        body="La commande {{ order_number }} est prête.", language="fr",
    )  # fmt: skip
    anna = member(shop, Role.MANAGER, email="anna@example.test", display_name="Anna")
    with on_commit():
        services.assign_specialist(phone_order, theo, bob)
        services.change_status(phone_order, statuses["ready"], theo)
    assert sent("workorders.specialist_assigned") == [
        ("theo@example.test", "email", f"La commande n°\u00a0{phone_order.pk} vous est attribuée"),
        (f"user:{theo.pk}", "inapp", f"La commande n°\u00a0{phone_order.pk} vous est attribuée"),
    ]
    managers = Delivery.objects.filter(event__code="workorders.status_changed", channel="inapp")
    assert {d.user for d in managers} == {bob, anna}


def test_r8_a_specialist_is_told_with_the_order_number(phone_order, theo, bob, on_commit):
    mail.outbox.clear()
    with on_commit():
        services.assign_specialist(phone_order, theo, bob)
    (email,) = mail.outbox
    assert email.to == ["Théo Lambert <theo@example.test>"]
    assert f"La commande n°\u00a0{phone_order.pk} vous est attribuée" in email.body
    assert f"/admin/workorders/workorder/{phone_order.pk}/change/" in email.body


def test_r8_a_client_who_refuses_sms_is_written_to_by_email_only(
    shop, claire, bob, statuses, on_commit
):
    claire.accepts_sms = False
    services.save_client(claire)
    with on_commit():
        services.open_order(shop, client=claire, asset="iPad", malfunction="Batterie", actor=bob)
    sms = Delivery.objects.get(event__code="workorders.created", channel="sms")
    assert (sms.status, sms.reason_code) == (Delivery.Status.SUPPRESSED, Delivery.Skip.NO_CONTACT)
    assert Delivery.objects.get(event__code="workorders.created", channel="email").status == "sent"


def test_r8_a_client_with_a_portal_account_follows_their_preferences(
    shop, bob, statuses, on_commit
):
    from notifications.models import Preference

    julie = member(
        shop, email="julie@example.test", display_name="Julie", language="en", phone="+33611112222"
    )
    Preference.objects.create(user=julie, group="work_orders", channel="sms", enabled=False)
    account = services.save_client(Client(organisation=shop, name="Julie Morel", user=julie))
    with on_commit():
        services.open_order(shop, client=account, asset="iPad", malfunction="Écran", actor=bob)
    by_channel = {
        d.channel: d for d in Delivery.objects.filter(event__code="workorders.created", user=julie)
    }
    assert by_channel["email"].subject.startswith("Work order No.")  # her language
    assert by_channel["sms"].reason_code == Delivery.Skip.PREFERENCE


@pytest.mark.parametrize("code", ORDER_EVENTS)
@translation.override("en")
def test_r8_every_variable_has_an_example_and_its_group(code):
    event_type = get_event_type(code)
    for variable in event_type.variables:
        assert variable.example not in (None, ""), variable.name
        assert " · " in str(variable.label), variable.name  # "Client · Name"
    groups = {str(variable.label).split(" · ")[0] for variable in event_type.variables}
    assert {"Company", "Client", "Order", "Asset", "Employees", "Finances", "Dates"} <= groups


def test_r8_the_shipped_rules_preview_with_the_examples(bob):
    rules = Rule.objects.filter(event_code__in=ORDER_EVENTS, organisation=None)
    assert rules.count() == 5
    for rule in rules:
        for rendered in preview(rule, bob):
            assert rendered.problem == "", (rule.name, rendered.channel)
            assert "{{" not in rendered.message.body


def test_r8_the_status_page_refuses_a_forged_or_foreign_link(client, phone_order):
    from core import tokens

    good = status_link(mail.outbox[0].body)
    assert client.get(good[:-3] + "xx/").status_code == 404
    other_purpose = tokens.make_token("visitors.self-check-in", phone_order.pk)
    response = client.get(f"/orders/status/{other_purpose}/")
    assert response.status_code == 404 and b"iPhone" not in response.content


def test_r8_the_status_page_refuses_an_address_that_guesses_links(client, phone_order):
    good = status_link(mail.outbox[0].body)
    for attempt in range(10):
        assert client.get(f"/orders/status/guess-{attempt}/").status_code == 404
    blocked = client.get(good)
    assert blocked.status_code == 429 and b"iPhone" not in blocked.content
