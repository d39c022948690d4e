"""The daily recap of appointments (SPEC B-13): each staff member's list at the hour they
chose on their own clock — across a DST change too —, skipped when empty; a manager's
whole-day list across staff; sent by the engine's one frequent beat task."""

import datetime

import pytest
from django.core import mail

from bookings.models import StaffRecap
from bookings.services import appointments
from notifications import recaps
from tests.bookings.conftest import CLIENT, emails_to

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def send(on_commit):
    with on_commit():
        return recaps.send_due_recaps()


def at(*args):
    return datetime.datetime(*args, tzinfo=UTC)


@pytest.fixture
def recaps_chosen(salon, lea, bob):
    organisation = salon["page"].organisation
    appointments.save_staff_recap(
        StaffRecap(organisation=organisation, user=lea, send_time=datetime.time(19))
    )
    appointments.save_staff_recap(
        StaffRecap(
            organisation=organisation,
            user=bob,
            send_time=datetime.time(7),
            day=StaffRecap.Day.SAME_DAY,
            whole_day=True,
        )
    )


def book(salon, agenda, start, time_machine, **client):
    time_machine.move_to(at(2026, 10, 1, 8), tick=False)
    return appointments.book_appointment(salon["cut"], salon[agenda], start, CLIENT | client)


def test_b13_each_staff_member_gets_their_list_at_their_hour_across_the_dst_change(
    salon, recaps_chosen, time_machine, on_commit
):
    # Saturday 24 October (summer time, UTC+2) and Tuesday 27 October (winter time, UTC+1).
    book(salon, "lea", at(2026, 10, 24, 8), time_machine)  # 10:00 in Paris
    book(salon, "lea", at(2026, 10, 27, 9), time_machine, email="yann@example.test")  # 10:00
    book(salon, "marc", at(2026, 10, 27, 13), time_machine, email="ines@example.test")
    mail.outbox.clear()
    time_machine.move_to(at(2026, 10, 23, 17), tick=False)  # Friday 19:00 in Paris (UTC+2)
    assert send(on_commit) == 1
    [friday] = emails_to("lea@example.test")
    assert friday.subject == "Vos rendez-vous du samedi 24 octobre 2026"
    assert "10:00–10:30 Coupe\u00a0: Zoé Petit (avec Léa Martin)" in friday.body
    time_machine.move_to(at(2026, 10, 24, 17), tick=False)  # Saturday 19:00: Sunday is empty
    assert send(on_commit) == 0
    mail.outbox.clear()
    time_machine.move_to(at(2026, 10, 26, 17), tick=False)  # Monday 18:00 in Paris (UTC+1)
    assert send(on_commit) == 0  # not her hour yet: the clocks went back
    time_machine.move_to(at(2026, 10, 26, 18), tick=False)  # Monday 19:00 in Paris
    assert send(on_commit) == 1
    [monday] = emails_to("lea@example.test")
    assert "Vos rendez-vous du mardi 27 octobre 2026" == monday.subject
    assert "Zoé Petit" in monday.body and "Inès" not in monday.body  # Marc's is not hers
    assert send(on_commit) == 0  # once per day


def test_b13_a_manager_gets_the_whole_days_list_across_staff(
    salon, recaps_chosen, time_machine, on_commit
):
    book(salon, "lea", at(2026, 10, 27, 9), time_machine)
    book(
        salon,
        "marc",
        at(2026, 10, 27, 13),
        time_machine,
        name="Inès Roy",
        email="ines@example.test",
    )
    mail.outbox.clear()
    time_machine.move_to(at(2026, 10, 27, 6), tick=False)  # Tuesday 07:00 in Paris
    assert send(on_commit) == 1
    [whole] = emails_to("bob@example.test")
    assert "(avec Léa Martin)" in whole.body and "Inès Roy (avec Marc Blanc)" in whole.body


def test_b13_a_staff_member_in_another_zone_gets_it_on_their_clock(
    salon, recaps_chosen, lea, time_machine, on_commit
):
    lea.time_zone = "America/Montreal"
    lea.save()
    book(salon, "lea", at(2026, 10, 27, 14), time_machine)  # 10:00 in Montréal
    mail.outbox.clear()
    time_machine.move_to(at(2026, 10, 26, 18), tick=False)  # 19:00 in Paris, 14:00 in Montréal
    assert send(on_commit) == 0
    time_machine.move_to(at(2026, 10, 26, 23), tick=False)  # 19:00 in Montréal
    assert send(on_commit) == 1
    assert "10:00–10:30" in emails_to("lea@example.test")[0].body


def test_b13_a_staff_member_chooses_their_own_hour_on_a_page(client, salon, lea, marc):
    client.force_login(lea)
    page = client.get("/bookings/rdv/my-recap/").content.decode()
    assert 'name="send_time"' in page and 'name="whole_day"' not in page  # not a manager
    client.post(
        "/bookings/rdv/my-recap/", {"send_time": "07:30", "day": "same_day", "enabled": "on"}
    )
    recap = StaffRecap.objects.get(user=lea)
    assert (recap.send_time, recap.day) == (datetime.time(7, 30), "same_day")
    assert client.post("/bookings/rdv/my-recap/", {"send_time": "25:99"}).status_code == 200
    assert StaffRecap.objects.get(user=lea).send_time == datetime.time(7, 30)  # junk refused


def test_b13_someone_without_an_agenda_has_no_recap_page(client, alice):
    client.force_login(alice)
    assert client.get("/bookings/rdv/my-recap/").status_code == 404
