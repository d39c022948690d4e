"""Every page is read in the reader's own language and time zone (P-3): one middleware."""

import datetime

import pytest
from django.urls import reverse

from core import widgets
from requests_center import services as requests
from requests_center.models import Request
from tests.factories import SiteFactory
from visitors.forms import VisitForm

pytestmark = pytest.mark.django_db


def test_the_back_office_shows_times_in_the_managers_zone(client, bob, alice, organisation):
    bob.time_zone = "America/Toronto"
    bob.language = "en"
    bob.save()
    site = SiteFactory(organisation=organisation)
    leak = requests.submit(alice, site=site, category=None, title="Fuite", description="Évier")
    Request.objects.filter(pk=leak.pk).update(
        created_at=datetime.datetime(2026, 3, 12, 15, 30, tzinfo=datetime.UTC)
    )
    client.force_login(bob)
    page = client.get(reverse("admin:requests_center_request_changelist")).content.decode()
    assert "11:30 a.m." in page  # 15:30 UTC in Toronto (EDT)


def test_the_zone_is_not_left_active_for_the_next_request(client, bob):
    from django.utils import timezone

    bob.time_zone = "America/Toronto"
    bob.save()
    client.force_login(bob)
    client.get(reverse("home"))
    assert str(timezone.get_current_timezone()) == "Europe/Paris"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_date_and_time_inputs_carry_iso_values_in_every_language(language, settings):
    from django.utils import translation

    with translation.override(language):
        assert 'value="2026-12-03"' in widgets.DateInput().render("d", datetime.date(2026, 12, 3))
        assert 'value="09:05"' in widgets.TimeInput().render("t", datetime.time(9, 5))
        moment = datetime.datetime(2026, 12, 3, 9, 5)
        assert 'value="2026-12-03T09:05"' in widgets.DateTimeInput().render("m", moment)


def test_every_date_or_time_input_of_the_portal_forms_is_iso():
    for field in VisitForm.base_fields.values():
        if getattr(field.widget, "input_type", "") in ("date", "time", "datetime-local"):
            assert isinstance(field.widget, widgets.DateInput | widgets.TimeInput)
