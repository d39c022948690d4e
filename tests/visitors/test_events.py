"""Who hears of what happens to a visit, when, and with which calendar file (SPEC V-1 … V-6)."""

import datetime

import pytest
from django.core import mail
from django.utils import translation
from django_celery_beat.models import PeriodicTask

from core import qr
from notifications import dispatch, planning
from notifications.models import Delivery
from tests.visitors.conftest import (
    CLAIRE,
    HOUR,
    JOHN,
    deliveries,
    emails_to,
    event_of,
    ics_of,
)
from visitors import calendar, services
from visitors.models import Visit, Visitor
from visitors.tokens import self_check_in_url

pytestmark = pytest.mark.django_db
Status = Delivery.Status


def test_v1_each_visitor_gets_a_personal_invitation_with_an_ics(plan_visit, alice):
    visit = plan_visit(visitors=[CLAIRE, JOHN])
    claire, john = visit.visitors.order_by("name")
    [to_claire] = emails_to("claire@atlas.test")
    [to_john] = emails_to("john@boilers.test")
    assert to_john.subject == "Invitation: Réunion projet Atlas on December 3, 2026"
    assert to_claire.subject == "Invitation\u00a0: Réunion projet Atlas le 3 décembre 2026"
    assert "Alice Durand vous attend pour «\u00a0Réunion projet Atlas\u00a0»" in to_claire.body
    assert "jeudi 3 décembre 2026, de 08:00 à 09:00" in to_claire.body  # Paris time
    assert "Bâtiment A, 12 rue des Tilleuls, 69003 Lyon" in to_claire.body
    # Each visitor's own self check-in link, and the QR code of that link.
    assert self_check_in_url(claire) in to_claire.body
    assert self_check_in_url(john) in to_john.body
    assert self_check_in_url(john) not in to_claire.body
    assert ("check-in.png", qr.png(self_check_in_url(john)), "image/png") in to_john.attachments
    assert [ics_of(m)[0] for m in (to_claire, to_john)] == ["REQUEST", "REQUEST"]
    # The hosts get no invitation.
    assert not emails_to(alice.email)


def test_v1_the_ics_parses_and_names_the_visit_the_host_and_the_visitor(visit):
    claire = visit.visitors.get()
    [invitation] = emails_to("claire@atlas.test")
    method, ics = ics_of(invitation)
    event = event_of(ics)
    assert method == ics["METHOD"] == "REQUEST"
    assert str(event["UID"]) == calendar.uid(visit)
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == visit.start
    assert event.decoded("DTEND") == visit.end
    assert event["SUMMARY"] == "Réunion projet Atlas"
    assert event["STATUS"] == "CONFIRMED"
    assert event["LOCATION"] == "Bâtiment A, 12 rue des Tilleuls, 69003 Lyon"
    assert str(event["ORGANIZER"]) == "mailto:alice@example.test"
    assert str(event["ATTENDEE"]) == "mailto:claire@atlas.test"
    assert event["ATTENDEE"].params["CN"] == "Claire Petit"
    assert event["URL"] == self_check_in_url(claire)


def test_v1_a_visitor_added_later_is_the_only_one_invited(visit, alice, on_commit):
    mail.outbox.clear()
    with on_commit():
        services.update_visit(visit, alice, add=[dict(JOHN)])
    assert [m.to for m in mail.outbox] == [["John Smith <john@boilers.test>"]]
    assert not deliveries("visits.changed").exists()


def test_v2_moved_visit_tells_visitors_old_and_new_details_side_by_side(
    visit, alice, site, on_commit
):
    mail.outbox.clear()
    with on_commit():
        services.update_visit(
            visit, alice, start=visit.start + 24 * HOUR, end=visit.end + 25 * HOUR
        )
    [change] = emails_to("claire@atlas.test")
    assert change.subject == "Visite modifiée\u00a0: Réunion projet Atlas le 4 décembre 2026"
    assert "Avant\u00a0: jeudi 3 décembre 2026, de 08:00 à 09:00 — Bâtiment A" in change.body
    assert (
        "Maintenant\u00a0: vendredi 4 décembre 2026, de 08:00 à 10:00 — Bâtiment A" in change.body
    )


def test_v2_the_update_is_the_same_calendar_event_with_a_higher_sequence(
    visit, alice, organisation, on_commit
):
    from tests.factories import SiteFactory

    [invitation] = emails_to("claire@atlas.test")
    other = SiteFactory(organisation=organisation, name="Bâtiment B")
    with on_commit():
        services.update_visit(visit, alice, site=other)
    [update] = emails_to("claire@atlas.test")[1:]
    assert "Avant\u00a0:" in update.body and "— Bâtiment A" in update.body
    assert "Maintenant\u00a0:" in update.body and "— Bâtiment B" in update.body
    (_m1, first), (method, second) = ics_of(invitation), ics_of(update)
    assert method == second["METHOD"] == "REQUEST"
    assert event_of(second)["UID"] == event_of(first)["UID"]
    assert event_of(second)["SEQUENCE"] > event_of(first)["SEQUENCE"]
    assert event_of(second)["LOCATION"] == "Bâtiment B"


def test_v2_a_new_purpose_alone_is_not_a_new_calendar_version(visit, alice, on_commit):
    mail.outbox.clear()
    with on_commit():
        services.update_visit(visit, alice, purpose="Atlas, phase 2")
    visit.refresh_from_db()
    assert (visit.sequence, mail.outbox) == (0, [])


def test_v3_reminder_24h_before_when_created_exactly_48h_ahead(
    plan_visit, frozen, time_machine, on_commit
):
    visit = plan_visit(ahead=48 * HOUR)
    reminder = deliveries("visits.invited", rule__offset_minutes=-1440).get()
    assert (reminder.status, reminder.send_at) == (Status.SCHEDULED, visit.start - 24 * HOUR)
    time_machine.move_to(visit.start - 24 * HOUR, tick=False)
    mail.outbox.clear()
    with on_commit():
        assert dispatch.dispatch_due() == 1
    [sent] = mail.outbox
    assert sent.subject == "Rappel\u00a0: votre visite demain, 2 décembre 2026 à 08:00"
    assert self_check_in_url(visit.visitors.get()) in sent.body


def test_v3_no_reminder_when_created_a_second_less_than_48h_ahead(plan_visit):
    plan_visit(ahead=48 * HOUR - datetime.timedelta(seconds=1))
    assert deliveries("visits.invited", channel="email").count() == 1  # the invitation only
    assert not deliveries("visits.invited", rule__offset_minutes=-1440).exists()


def test_v3_a_visitor_invited_late_to_an_early_visit_gets_no_reminder(
    plan_visit, alice, time_machine, frozen, on_commit
):
    visit = plan_visit(ahead=96 * HOUR)
    time_machine.move_to(frozen + 50 * HOUR, tick=False)  # 46 h before the start
    with on_commit():
        services.update_visit(visit, alice, add=[dict(JOHN)])
    reminders = deliveries("visits.invited", rule__offset_minutes=-1440)
    assert [d.recipient_name for d in reminders] == ["Claire Petit"]


def test_v3_moved_visit_moves_its_reminder(visit, alice, time_machine, frozen, on_commit):
    with on_commit():
        services.update_visit(
            visit, alice, start=visit.start + 24 * HOUR, end=visit.end + 24 * HOUR
        )
    reminders = deliveries("visits.invited", rule__offset_minutes=-1440)
    old = reminders.get(status=Status.CANCELLED)
    new = reminders.get(status=Status.SCHEDULED)
    assert old.reason == planning.RESCHEDULED
    assert new.send_at == visit.start - 24 * HOUR == frozen + 72 * HOUR
    time_machine.move_to(frozen + 48 * HOUR, tick=False)  # the old reminder time
    assert dispatch.dispatch_due() == 0
    time_machine.move_to(new.send_at, tick=False)
    mail.outbox.clear()
    with on_commit():
        assert dispatch.dispatch_due() == 1
    assert [m.subject for m in mail.outbox] == [
        "Rappel\u00a0: votre visite demain, 4 décembre 2026 à 08:00"
    ]


def test_v3_moved_too_close_to_its_creation_loses_its_reminder(visit, alice, frozen, on_commit):
    with on_commit():
        services.update_visit(visit, alice, start=frozen + 40 * HOUR, end=frozen + 41 * HOUR)
    reminder = deliveries("visits.invited", rule__offset_minutes=-1440).get()
    assert reminder.status == Status.CANCELLED


def test_v3_condition_is_checked_again_at_send_time(visit, time_machine, frozen, on_commit):
    # Changed behind the services' back: only the check at send time can catch it.
    Visit.objects.filter(pk=visit.pk).update(created_at=frozen + 30 * HOUR)
    time_machine.move_to(frozen + 48 * HOUR, tick=False)
    with on_commit():
        dispatch.dispatch_due()
    reminder = deliveries("visits.invited", rule__offset_minutes=-1440).get()
    assert reminder.status == Status.CANCELLED
    assert "created_48h_before_start" in reminder.reason


def test_v4_cancelled_visit_tells_visitors_with_a_cancelling_ics(visit, alice, on_commit):
    [invitation] = emails_to("claire@atlas.test")
    with on_commit():
        services.cancel_visit(visit, alice)
    [cancellation] = emails_to("claire@atlas.test")[1:]
    assert cancellation.subject == "Visite annulée\u00a0: Réunion projet Atlas le 3 décembre 2026"
    assert "est annulée" in cancellation.body
    method, ics = ics_of(cancellation)
    event = event_of(ics)
    assert method == ics["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event["UID"] == event_of(ics_of(invitation)[1])["UID"]
    assert event["SEQUENCE"] > event_of(ics_of(invitation)[1])["SEQUENCE"]
    assert not any(name == "check-in.png" for name, *_rest in cancellation.attachments)


def test_v4_cancelled_visit_cancels_pending_reminders(
    visit, alice, time_machine, frozen, on_commit
):
    with on_commit():
        services.cancel_visit(visit, alice)
    reminder = deliveries("visits.invited", rule__offset_minutes=-1440).get()
    assert (reminder.status, reminder.reason) == (Status.CANCELLED, planning.TARGET_CANCELLED)
    time_machine.move_to(frozen + 48 * HOUR, tick=False)
    mail.outbox.clear()
    assert dispatch.dispatch_due() == 0
    assert mail.outbox == []


def test_v4_a_withdrawn_visitor_is_told_and_loses_only_their_reminder(plan_visit, alice, on_commit):
    visit = plan_visit(visitors=[CLAIRE, JOHN])
    john = visit.visitors.get(name="John Smith")
    mail.outbox.clear()
    with on_commit():
        services.update_visit(visit, alice, remove=[john])
    [cancellation] = mail.outbox
    assert cancellation.subject == "Visit cancelled: Réunion projet Atlas on December 3, 2026"
    assert ics_of(cancellation)[0] == "CANCEL"
    reminders = deliveries("visits.invited", rule__offset_minutes=-1440)
    assert {(d.recipient_name, d.status) for d in reminders} == {
        ("Claire Petit", Status.SCHEDULED),
        ("John Smith", Status.CANCELLED),
    }


def test_v5_check_in_tells_host_and_co_hosts_by_email_and_push_at_once(
    visit, alice, chloe, reception, on_commit
):
    claire = visit.visitors.get()
    with on_commit():
        assert services.check_in(claire, Visitor.Source.RECEPTION, actor=reception)
    told = deliveries("visits.checked_in")
    assert {(d.user, d.channel) for d in told.filter(status=Status.SENT)} == {
        (alice, "email"),
        (chloe, "email"),
        # No phone registered for push yet: the rule falls back to the portal inbox.
        (alice, "inapp"),
        (chloe, "inapp"),
    }
    assert {d.priority for d in told} == {"high"}
    assert {d.send_at for d in told} == {claire.checked_in_at}
    email = emails_to(alice.email)[0]
    assert email.subject == "Arrivée de Claire Petit"
    with translation.override("fr"):
        by_reception = str(Visitor.Source.RECEPTION.label)
    assert f"Arrivée de Claire Petit (Atlas SA) à 08:00 — Bâtiment A ({by_reception})" in email.body


def test_v5_push_goes_to_a_host_with_a_phone(visit, alice, on_commit):
    from notifications.models import Device

    Device.objects.create(user=alice, token="fid-alice", platform="android")
    with on_commit():
        services.check_in(visit.visitors.get(), Visitor.Source.SELF)
    push = deliveries("visits.checked_in", user=alice, channel="push").get()
    assert (push.status, push.subject) == (Status.SENT, "Arrivée de Claire Petit")


def test_v5_a_second_check_in_announces_nothing(visit, on_commit):
    claire = visit.visitors.get()
    with on_commit():
        assert services.check_in(claire, Visitor.Source.SELF)
        assert not services.check_in(claire, Visitor.Source.RECEPTION)
    claire.refresh_from_db()
    assert claire.check_in_source == "self"
    assert deliveries("visits.checked_in").values("event").distinct().count() == 1


def test_v5_nobody_checks_in_to_a_cancelled_visit(visit, alice):
    services.cancel_visit(visit, alice)
    with pytest.raises(services.CheckInRefused):
        services.check_in(visit.visitors.get(), Visitor.Source.RECEPTION)


def test_v6_host_is_told_once_of_a_visitor_still_in_at_closing_time(
    plan_visit, alice, time_machine, frozen, on_commit
):
    visit = plan_visit(ahead=2 * HOUR)  # 10:00-11:00 in Paris
    claire = visit.visitors.get()
    services.check_in(claire, Visitor.Source.RECEPTION)
    closing = frozen + 12 * HOUR  # 20:00 in Paris
    time_machine.move_to(closing - datetime.timedelta(minutes=1), tick=False)
    assert services.close_the_day() == 0
    time_machine.move_to(closing, tick=False)
    mail.outbox.clear()
    with on_commit():
        assert services.close_the_day() == 1
        assert services.close_the_day() == 0
    [told] = mail.outbox
    assert told.to == ["Alice Durand <alice@example.test>"]
    assert (
        told.subject == "Sortie non enregistrée\u00a0: Claire Petit"
    )  # a subject is one line of plain spaces
    assert deliveries("visits.not_checked_out", channel="inapp", user=alice).exists()
    visit.refresh_from_db()
    assert visit.status == Visit.Status.DONE


def test_v6_a_visitor_checked_out_is_not_reported(plan_visit, time_machine, frozen):
    visit = plan_visit(ahead=2 * HOUR)
    claire = visit.visitors.get()
    services.check_in(claire, Visitor.Source.SELF)
    services.check_out(claire)
    time_machine.move_to(frozen + 24 * HOUR, tick=False)
    assert services.close_the_day() == 0
    assert not deliveries("visits.not_checked_out").exists()


def test_v6_beat_looks_for_visitors_still_in_every_15_minutes(db):
    task = PeriodicTask.objects.get(task="visitors.tasks.close_the_day")
    assert task.enabled
    assert (task.interval.every, task.interval.period) == (15, "minutes")


def test_v6_the_task_runs_the_service(plan_visit, time_machine, frozen):
    from visitors.tasks import close_the_day

    services.check_in(plan_visit(ahead=HOUR).visitors.get(), Visitor.Source.SELF)
    time_machine.move_to(frozen + 14 * HOUR, tick=False)
    assert close_the_day.delay().get() == 1


def test_n4_visit_rules_ship_enabled_in_french_and_english(db):
    from notifications.models import Rule

    rules = Rule.objects.filter(event_code__startswith="visits.", organisation=None)
    assert rules.count() == 6
    for rule in rules:
        assert rule.enabled
        languages = {(t.channel, t.language) for t in rule.templates.all()}
        assert {(c, lang) for c in rule.channels for lang in ("fr", "en")} <= languages
    reminder = rules.get(default_key="visits.invited/reminder")
    assert (reminder.anchor, reminder.offset_minutes) == ("start", -1440)
    assert "created_48h_before_start" in reminder.conditions


def test_n3_visit_templates_pass_the_admin_checks():
    from notifications.events import get_event_type
    from notifications.templating import check_template

    for code in ["visits.invited", "visits.changed", "visits.cancelled", "visits.checked_in"]:
        event_type = get_event_type(code)
        for default in event_type.default_rules:
            for subject, body in default.templates.values():
                check_template(subject, event_type.variable_names())
                check_template(body, event_type.variable_names())


def test_v1_a_visitor_is_a_plain_contact_in_the_organisations_time_zone(visit, organisation):
    organisation.time_zone = "America/Montreal"
    organisation.save()
    claire = Visitor.objects.select_related("visit__organisation").get()
    claire.phone = "06 12 34 56 78"
    claire.save()
    claire.refresh_from_db()
    recipient = claire.as_recipient()
    assert recipient.key == f"visitors.visitor:{claire.pk}"
    assert (recipient.email, recipient.phone, recipient.language) == (
        "claire@atlas.test",
        "+33612345678",
        "fr",
    )
    assert (recipient.time_zone, recipient.user_id) == ("America/Montreal", None)
