"""Leads (SPEC R-10): status changes reach the client and the responsible employee per their
rules; "no answer" plans a call-back reminder that moves with the call-back and is cancelled
when the lead moves on."""

import datetime

import pytest
from django.core import mail

from notifications.dispatch import dispatch_due
from notifications.models import Delivery
from tests.factories import RuleFactory
from tests.workorders.conftest import sent
from workorders import services
from workorders.models import Client, Lead

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 12, 1, 8, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)
MINUTES_15 = datetime.timedelta(minutes=15)
Status = Delivery.Status


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def sophie(shop, bob, theo, frozen, on_commit):
    """Sophie asked for a quote on the website; Théo is to call her."""
    prospect = services.save_client(
        Client(
            organisation=shop, name="Sophie Leroy", email="sophie@example.fr", phone="+33611223344"
        )  # fmt: skip
    )
    with on_commit():
        return services.create_lead(
            shop, client=prospect, actor=bob, source=Lead.Source.WEBSITE, responsible=theo,
            interest="Devis écran Galaxy S21",
        )  # fmt: skip


def call_backs(lead):
    return Delivery.objects.concerning(lead).filter(rule__default_key__endswith="callback_reminder")


def test_r10_a_new_lead_tells_its_responsible_employee(sophie, theo):
    assert sent("leads.created", "email") == [
        ("theo@example.test", "email", "Nouveau prospect\u00a0: Sophie Leroy")
    ]
    assert "Sophie Leroy (Site web), +33611223344\u00a0: Devis écran Galaxy S21" in (
        mail.outbox[0].body
    )


def test_r10_a_status_change_reaches_each_group_by_its_rules(shop, sophie, bob, theo, on_commit):
    """The responsible hears of every change; a rule the shop added tells the client when
    the lead is won, and only then."""
    RuleFactory(
        organisation=shop, event_code="leads.status_changed", roles=["client"], channels=["email"],
        conditions=["status_won"], templates={"fr": ("Bienvenue", "Merci, {{ client_name }}.")},
    )  # fmt: skip
    with on_commit():
        services.change_lead_status(sophie, Lead.Status.INTERESTED, bob)
    assert sent("leads.status_changed") == [
        (f"user:{theo.pk}", "inapp", "Sophie Leroy\u00a0: Intéressé")
    ]
    with on_commit():
        services.change_lead_status(sophie, Lead.Status.WON, bob)
    assert ("sophie@example.fr", "email", "Bienvenue") in sent("leads.status_changed")
    assert len(sent("leads.status_changed", "email")) == 1


def test_r10_no_answer_tells_the_client_and_plans_a_call_back_reminder(sophie, theo, on_commit):
    with on_commit():
        services.change_lead_status(sophie, Lead.Status.NO_ANSWER, theo, callback_at=NOW + 6 * HOUR)
    told = sent("leads.no_answer")
    assert ("sophie@example.fr", "email", "Atelier Réparfix a essayé de vous joindre") in told
    assert ("+33611223344", "sms", "") in told
    sms = Delivery.objects.get(event__code="leads.no_answer", channel="sms")
    assert sms.body == (
        "Atelier Réparfix\u00a0: nous avons essayé de vous joindre. "
        "Nous vous rappelons le 1 décembre 2026 à 15:00."
    )
    # The employee who got no answer is the one reminded, though they acted.
    assert {(d.user, d.channel, d.status, d.send_at) for d in call_backs(sophie)} == {
        (theo, "email", Status.SCHEDULED, NOW + 6 * HOUR - MINUTES_15),
        (theo, "inapp", Status.SCHEDULED, NOW + 6 * HOUR - MINUTES_15),
    }


def test_r10_a_moved_call_back_moves_its_reminder(sophie, theo, frozen, on_commit):
    with on_commit():
        services.record_no_answer(sophie, theo, callback_at=NOW + 6 * HOUR)
    with on_commit():
        services.move_callback(sophie, NOW + 26 * HOUR, theo)
    assert {(d.send_at, d.status, d.reason) for d in call_backs(sophie)} == {
        (NOW + 6 * HOUR - MINUTES_15, Status.CANCELLED, "rescheduled"),
        (NOW + 26 * HOUR - MINUTES_15, Status.SCHEDULED, ""),
    }
    frozen.move_to(NOW + 6 * HOUR, tick=False)
    assert dispatch_due() == 0  # nothing at the old time
    frozen.move_to(NOW + 26 * HOUR - MINUTES_15, tick=False)
    with on_commit():
        dispatch_due()
    assert ("theo@example.test", "email", "Rappel\u00a0: appeler Sophie Leroy à 11:00") in sent(
        "leads.no_answer", "email"
    )  # 10:00 UTC is 11:00 in Paris


def test_r10_a_lead_that_moves_on_cancels_its_call_back(sophie, theo, frozen, on_commit):
    with on_commit():
        services.record_no_answer(sophie, theo, callback_at=NOW + 6 * HOUR)
    with on_commit():
        services.change_lead_status(sophie, Lead.Status.CONTACTED, theo)
    assert {(d.status, d.reason) for d in call_backs(sophie)} == {
        (Status.CANCELLED, "cancelled with its object")
    }
    sophie.refresh_from_db()
    assert sophie.callback_at is None
    frozen.move_to(NOW + 6 * HOUR, tick=False)
    assert dispatch_due() == 0


def test_r10_another_unanswered_call_has_its_own_call_back_only(sophie, theo, frozen, on_commit):
    for step in (
        lambda: services.record_no_answer(sophie, theo, callback_at=NOW + 2 * HOUR),
        lambda: services.record_no_answer(sophie, theo, callback_at=NOW + 24 * HOUR),
        lambda: services.move_callback(sophie, NOW + 25 * HOUR, theo),
    ):
        with on_commit():
            step()
    pending = call_backs(sophie).filter(status=Status.SCHEDULED)
    assert {(d.channel, d.send_at) for d in pending} == {
        ("email", NOW + 25 * HOUR - MINUTES_15),
        ("inapp", NOW + 25 * HOUR - MINUTES_15),
    }
    sophie.refresh_from_db()
    assert sophie.call_attempts == 2


def test_r10_a_call_back_reminder_expires_at_the_call_back(sophie, theo, frozen, on_commit):
    """Held back past the call-back time (an outage), it is never sent."""
    with on_commit():
        services.record_no_answer(sophie, theo, callback_at=NOW + 2 * HOUR)
    frozen.move_to(NOW + 3 * HOUR, tick=False)
    with on_commit():
        dispatch_due()
    assert {(d.status, d.reason_code) for d in call_backs(sophie)} == {
        (Status.CANCELLED, Delivery.Skip.EXPIRED)
    }
