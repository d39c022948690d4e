"""The shop's back office: statuses and their triggers, work orders, tasks and leads with their
history and "send a message" (SPEC R-8 … R-10, N-6, N-12), through the same services."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Role
from notifications.models import Delivery, Event, Rule
from tests.admin_forms import change_form_data
from tests.factories import OrganisationFactory, member
from workorders.models import Lead, Task, WorkOrderStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob)
    return client


def admin_save(client, url, **changes):
    response = client.post(url, change_form_data(client.get(url), **changes))
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def order_url(order):
    return reverse("admin:workorders_workorder_change", args=[order.pk])


def test_r8_a_manager_closes_an_order_in_the_admin_and_the_client_is_told(
    bob_client, bob, phone_order, statuses, on_commit
):
    page = bob_client.get(order_url(phone_order))
    assert "claire.petit@example.fr" in page.content.decode()  # its history: the first email
    mail.outbox.clear()
    with on_commit():
        admin_save(bob_client, order_url(phone_order), status=statuses["closed"].pk)
    (email,) = mail.outbox
    assert email.to == ["Claire Petit <claire.petit@example.fr>"]
    assert "Prix\u00a0: 189,00\u00a0€" in email.body
    event = Event.objects.get(code="workorders.status_changed")
    assert (event.actor, event.data["status_name"]) == (bob, "Fermé")


def test_r8_a_manager_adds_a_status_and_its_own_message_in_the_admin(
    bob_client, shop, phone_order, on_commit
):
    add = reverse("admin:workorders_workorderstatus_add")
    data = change_form_data(bob_client.get(add), name="Attente pièces", kind="waiting")
    assert bob_client.post(add, {**data, "organisation": shop.pk}).status_code == 302
    waiting = WorkOrderStatus.objects.get(name="Attente pièces")

    url = reverse("admin:workorders_workorderstatus_add_message", args=[waiting.pk])
    refused = bob_client.post(url, {"role": "client", "channels": ["sms"], "language": "fr",
                                    "body": "Votre {{ appareil }}"})  # fmt: skip
    assert "appareil" in refused.context["form"].errors["body"][0]
    response = bob_client.post(
        url,
        {"role": "client", "channels": ["sms"], "language": "fr",
         "body": "Votre {{ asset }} attend une pièce."},
    )  # fmt: skip
    rule = Rule.objects.get(organisation=shop, event_code="workorders.status_changed")
    assert response.url == reverse("admin:notifications_rule_change", args=[rule.pk])
    assert list(waiting.triggers.values_list("rule", flat=True)) == [rule.pk]
    assert (rule.name, rule.roles, rule.channels) == (
        "Attente pièces → Le client",
        ["client"],
        ["sms"],
    )
    assert (
        "Attente pièces"
        in bob_client.get(
            reverse("admin:workorders_workorderstatus_change", args=[waiting.pk])
        ).content.decode()
    )

    with on_commit():
        admin_save(bob_client, order_url(phone_order), status=waiting.pk)
    sms = Delivery.objects.get(rule=rule)
    assert (sms.status, sms.address, sms.body) == (
        Delivery.Status.SENT,
        "+33612345678",
        "Votre iPhone 12 attend une pièce.",
    )


def test_r8_an_order_takes_only_its_own_shops_status(bob_client, bob, phone_order):
    elsewhere = OrganisationFactory(name="Répar’Express")
    from accounts.models import Membership

    Membership.objects.create(user=bob, organisation=elsewhere, role=Role.MANAGER)
    foreign = WorkOrderStatus.objects.create(organisation=elsewhere, name="Ailleurs")
    url = order_url(phone_order)
    response = bob_client.post(url, change_form_data(bob_client.get(url), status=foreign.pk))
    assert response.status_code == 200 and "status" in response.context["adminform"].form.errors


def test_n12_send_a_message_offers_the_client_only_the_channels_they_accept(
    bob_client, phone_order, claire
):
    url = reverse("admin:workorders_workorder_message", args=[phone_order.pk])
    labels = [label for _key, label in bob_client.get(url).context["form"].fields["to"].choices]
    assert "Claire Petit — SMS (+33612345678)" in labels
    assert "Claire Petit — E-mail (claire.petit@example.fr)" in labels
    claire.accepts_sms = False
    claire.save()
    labels = [label for _key, label in bob_client.get(url).context["form"].fields["to"].choices]
    assert not [label for label in labels if "SMS" in label]


def test_r9_a_task_made_in_the_admin_tells_its_assignees_and_the_action_completes_it(
    bob_client, bob, theo, shop, on_commit
):
    add = reverse("admin:workorders_task_add")
    data = change_form_data(bob_client.get(add), title="Inventaire", assignees=[theo.pk])
    with on_commit():
        assert bob_client.post(add, {**data, "organisation": shop.pk}).status_code == 302
    task = Task.objects.get()
    assert (task.created_by, list(task.assignees.all())) == (bob, [theo])
    assert Event.objects.get(code="tasks.created").actor == bob
    assert mail.outbox[-1].to == ["Théo Lambert <theo@example.test>"]

    changelist = reverse("admin:workorders_task_changelist")
    with on_commit():
        bob_client.post(changelist, {"action": "complete", "_selected_action": [task.pk]})
    task.refresh_from_db()
    assert task.completed_by == bob
    # Bob completed his own task: nobody else to tell, and the event says who acted.
    assert Event.objects.get(code="tasks.completed").actor == bob


def test_r10_no_answer_in_the_admin_asks_when_to_call_back_and_plans_the_reminder(
    bob_client, shop, theo, claire, on_commit
):
    from workorders import services

    with on_commit():
        lead = services.create_lead(shop, client=claire, actor=theo, responsible=theo)
    url = reverse("admin:workorders_lead_change", args=[lead.pk])
    response = bob_client.post(url, change_form_data(bob_client.get(url), status="no_answer"))
    assert "callback_at" in response.context["adminform"].form.errors
    when = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)
    with on_commit():
        admin_save(
            bob_client, url, status="no_answer",
            callback_at_0=when.strftime("%Y-%m-%d"), callback_at_1="10:00",
        )  # fmt: skip
    lead.refresh_from_db()
    assert (lead.status, lead.call_attempts) == (Lead.Status.NO_ANSWER, 1)
    reminder = Delivery.objects.get(
        event__code="leads.no_answer", user=theo, channel="email", status="scheduled"
    )
    assert reminder.send_at == lead.callback_at - datetime.timedelta(minutes=15)


def test_p3_another_shops_manager_sees_none_of_it(client, shop, phone_order, statuses):
    carol = member(OrganisationFactory(name="Parc Horizon"), Role.MANAGER, email="c@example.test")
    client.force_login(carol)
    for url in (
        order_url(phone_order),
        reverse("admin:workorders_workorder_message", args=[phone_order.pk]),
        reverse("admin:workorders_workorderstatus_add_message", args=[statuses["new"].pk]),
    ):
        assert client.get(url).status_code in (302, 404), url
    listing = client.get(reverse("admin:workorders_workorder_changelist")).content.decode()
    assert "iPhone 12" not in listing


def test_c6_the_clients_whatsapp_tick_offers_the_chat_link_from_the_work_order(
    bob_client, phone_order, claire
):
    from notifications.consent.models import ConsentRecord
    from notifications.models import Delivery

    url = reverse("admin:workorders_workorder_message", args=[phone_order.pk])
    labels = [label for _key, label in bob_client.get(url).context["form"].fields["to"].choices]
    assert not [label for label in labels if "WhatsApp" in label]
    change = reverse("admin:workorders_client_change", args=[claire.pk])
    answer = admin_save(bob_client, change, accepts_whatsapp=True)
    assert answer.status_code == 302
    record = ConsentRecord.objects.get(channel="whatsapp", kind="opt_in_given")
    assert (record.address, record.method) == ("+33612345678", "admin")
    form = bob_client.get(url).context["form"]
    key = next(k for k, (person, channel) in form.options.items() if channel == "whatsapp")
    page = bob_client.post(url, {"to": key, "body": "Votre iPhone est prêt."})
    assert page.context["link"].startswith("https://wa.me/33612345678?text=Votre%20iPhone")
    delivery = Delivery.objects.get(event__code="notifications.manual")
    assert (delivery.channel, delivery.reason) == ("whatsapp", "handed to the messenger")
    assert bob_client.get(change).context["adminform"].form.initial["accepts_whatsapp"] is True


def test_c6_n12_a_client_who_refused_sms_still_gets_the_whatsapp_link_they_ticked(
    bob_client, phone_order, claire
):
    change = reverse("admin:workorders_client_change", args=[claire.pk])
    admin_save(bob_client, change, accepts_sms=False, accepts_whatsapp=True)
    url = reverse("admin:workorders_workorder_message", args=[phone_order.pk])
    options = bob_client.get(url).context["form"].options.values()
    channels = {channel for _person, channel in options}
    assert "whatsapp" in channels and "sms" not in channels
