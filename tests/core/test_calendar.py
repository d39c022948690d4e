"""One event as an iTIP message: same UID, growing SEQUENCE, METHOD and STATUS that agree."""

import datetime

import icalendar
import pytest

from core import calendar

START = datetime.datetime(2026, 12, 3, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
BOB = calendar.Person("bob@example.test", "Bob Martin")
ALICE = calendar.Person("alice@example.test", "Alice Durand")


def event_in(ics):
    parsed = icalendar.Calendar.from_ical(ics)
    return parsed, next(iter(parsed.walk("VEVENT")))


def build(**changes):
    fields = {
        "uid": "abc@relais.test",
        "sequence": 0,
        "method": calendar.REQUEST,
        "start": START,
        "end": START + datetime.timedelta(hours=1),
        "summary": "Réunion",
        "organizer": BOB,
        "attendees": [ALICE],
    } | changes
    return calendar.build(**fields)


def test_a_request_is_a_confirmed_event_with_its_organizer_and_attendees(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 30, 7, 0, tzinfo=datetime.UTC), tick=False)
    parsed, event = event_in(
        build(location="Bâtiment A", description="Hôte : Bob", url="https://x")
    )
    assert parsed["METHOD"] == "REQUEST"
    assert (str(event["UID"]), event["SEQUENCE"], event["STATUS"]) == (
        "abc@relais.test",
        0,
        "CONFIRMED",
    )
    assert event["ORGANIZER"] == "mailto:bob@example.test"
    assert event["ORGANIZER"].params["CN"] == "Bob Martin"
    assert event["ATTENDEE"] == "mailto:alice@example.test"
    assert event["ATTENDEE"].params["PARTSTAT"] == "NEEDS-ACTION"
    assert (event["LOCATION"], event["DESCRIPTION"], event["URL"]) == (
        "Bâtiment A",
        "Hôte : Bob",
        "https://x",
    )
    assert event["DTSTAMP"].dt == datetime.datetime(2026, 11, 30, 7, 0, tzinfo=datetime.UTC)


def test_times_are_written_in_utc_so_no_vtimezone_is_needed():
    parsed, event = event_in(build())
    assert event["DTSTART"].dt == datetime.datetime(2026, 12, 3, 9, 0, tzinfo=datetime.UTC)
    assert event["DTEND"].dt == datetime.datetime(2026, 12, 3, 10, 0, tzinfo=datetime.UTC)
    assert not list(parsed.walk("VTIMEZONE"))


def test_a_cancel_keeps_the_uid_and_marks_the_event_cancelled():
    parsed, event = event_in(build(method=calendar.CANCEL, sequence=2))
    assert parsed["METHOD"] == "CANCEL"
    assert (str(event["UID"]), event["SEQUENCE"], event["STATUS"]) == (
        "abc@relais.test",
        2,
        "CANCELLED",
    )


def test_empty_optional_fields_are_left_out():
    _parsed, event = event_in(build(attendees=[]))
    assert not {"LOCATION", "DESCRIPTION", "URL", "ATTENDEE"} & set(event)


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError):
        build(method="PUBLISH")


def test_the_attachment_content_type_carries_the_files_method():
    ics = build(method=calendar.CANCEL)
    assert calendar.attachment(ics, calendar.CANCEL) == (
        "invitation.ics",
        ics,
        "text/calendar; method=CANCEL",
    )


def test_a_global_uid_names_this_sites_host(settings):
    settings.SITE_URL = "https://relais.example.org"
    assert calendar.global_uid("1234") == "1234@relais.example.org"
