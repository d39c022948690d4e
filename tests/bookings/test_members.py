"""B-15 (every booking, or a daily digest) and B-16 (validities expiring, balance too low)."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail

from bookings import services
from bookings.models import Account, BalanceThreshold, Subscription, Validity, ValidityType
from notifications import recaps
from notifications.models import RecapSchedule
from tests.bookings.conftest import NOW, TOMORROW_10, emails_to
from tests.factories import member

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def test_b15_a_manager_who_opted_in_receives_every_booking(book, room, bob, remi, chloe):
    services.subscribe(bob, room.organisation, Subscription.Topic.EVERY_BOOKING)
    services.subscribe(
        remi, room.organisation, Subscription.Topic.EVERY_BOOKING, only_supervised=True
    )
    book(room)
    [told] = [m for m in emails_to(bob.email) if m.subject.startswith("Nouvelle réservation")]
    assert "Alice Durand a réservé Salle Everest (confirmée)." in told.body
    assert "résumé quotidien peut le remplacer" in told.body  # the volume, and the way out
    assert not emails_to(remi.email)  # Rémi supervises only the boardroom


def test_b15_the_daily_digest_replaces_the_messages_with_one_list(
    book, room, bob, time_machine, on_commit
):
    services.subscribe(
        bob,
        room.organisation,
        Subscription.Topic.EVERY_BOOKING,
        delivery=Subscription.Delivery.DIGEST,
    )
    book(room)
    assert not [m for m in emails_to(bob.email) if m.subject.startswith("Nouvelle réservation")]
    RecapSchedule.objects.create(
        event_code="bookings.daily_digest", send_time=datetime.time(7), day="same_day"
    )
    time_machine.move_to(TOMORROW_10 - 2 * datetime.timedelta(hours=1), tick=False)  # 08:00 Paris
    mail.outbox.clear()
    with on_commit():
        assert recaps.send_due_recaps() == 1
    [digest] = emails_to(bob.email)
    assert digest.subject == "Réservations du mardi 1 décembre 2026"
    assert "— 10:00–11:00 Salle Everest\u00a0: Alice Durand" in digest.body


@pytest.fixture
def medical(organisation):
    return ValidityType.objects.create(
        organisation=organisation,
        name="Certificat médical",
        kind="medical",
        lead_days=30,
        repeat_days=7,
        alerted_roles=["manager"],
    )


def test_b16_a_validity_is_warned_from_its_lead_time_then_every_repeat(
    alice, bob, medical, frozen, time_machine, on_commit
):
    validity = services.save_validity(
        Validity(validity_type=medical, member=alice, expires_on=NOW.date() + 31 * DAY), bob
    )
    with on_commit():
        assert services.warn_expiring_validities() == 0  # 31 days: not yet
    time_machine.move_to(NOW + DAY, tick=False)
    with on_commit():
        assert services.warn_expiring_validities() == 1
        assert services.warn_expiring_validities() == 0  # once a day at most
    [to_alice] = emails_to(alice.email)
    assert "expire le jeudi 31 décembre 2026 (dans 30 jours)" in to_alice.body
    [to_bob] = emails_to(bob.email)  # a manager's profile receives every expiry
    assert to_bob.subject == "Validité à renouveler\u00a0: Alice Durand — Certificat médical"
    time_machine.move_to(NOW + 7 * DAY, tick=False)
    with on_commit():
        assert services.warn_expiring_validities() == 0
    time_machine.move_to(NOW + 8 * DAY, tick=False)
    with on_commit():
        assert services.warn_expiring_validities() == 1
    validity.expires_on += 365 * DAY  # renewed: nothing until the next lead time
    services.save_validity(validity, bob)
    time_machine.move_to(NOW + 15 * DAY, tick=False)
    assert services.warn_expiring_validities() == 0


def test_b16_a_balance_below_the_threshold_tells_the_member_once(alice, organisation, on_commit):
    BalanceThreshold.objects.create(organisation=organisation, amount=Decimal("50"))
    account = Account.objects.create(organisation=organisation, member=alice, balance=Decimal("80"))
    with on_commit():
        services.record_balance(account, Decimal("60"))
        services.record_balance(account, Decimal("40"))
        services.record_balance(account, Decimal("20"))  # still below: not told again
    [low] = emails_to(alice.email)
    assert low.subject == "Solde insuffisant\u00a0: 40,00\u00a0€"
    assert "sous le seuil de 50,00\u00a0€" in low.body
    with on_commit():
        services.record_balance(account, Decimal("100"))
        services.record_balance(account, Decimal("10"))  # below again: told again
    assert len(emails_to(alice.email)) == 2


def test_b16_only_the_member_and_the_chosen_profiles_are_warned(alice, medical, frozen, on_commit):
    other = member(medical.organisation, email="other@example.test")
    services.save_validity(
        Validity(validity_type=medical, member=alice, expires_on=NOW.date() + 3 * DAY), None
    )
    with on_commit():
        services.warn_expiring_validities()
    assert not emails_to(other.email)
