"""Daily recaps at a chosen hour in each recipient's zone (SPEC N-10, B-13's engine part)."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from notifications import recaps
from notifications.models import RecapRun, RecapSchedule
from tests.factories import RuleFactory, member

pytestmark = pytest.mark.django_db
PARIS_18H = datetime.datetime(2026, 12, 1, 17, 0, tzinfo=datetime.UTC)
RECAP = {
    "fr": (
        "Vos rendez-vous du {{ day|date:'l j F' }}",
        "{% for item in items %}{{ item.start|time:'H:i' }} {{ item.title }}\n{% endfor %}",
    ),
    "en": (
        "Your appointments on {{ day|date:'l j F' }}",
        "{% for item in items %}{{ item.start|time:'H:i' }} {{ item.title }}\n{% endfor %}",
    ),
}


@pytest.fixture
def schedule(db):
    RuleFactory(event_code="testapp.daily_recap", roles=["recipient"], templates=RECAP)
    return RecapSchedule.objects.create(
        event_code="testapp.daily_recap", send_time=datetime.time(18), day="day_before"
    )


@pytest.fixture
def carla(organisation, appointment_factory):
    """Carla, a hairdresser, has two appointments tomorrow and one the day after."""
    carla = member(organisation, email="carla@example.test", display_name="Carla")
    for hour, title in ((9, "Coupe"), (14, "Couleur")):
        start = datetime.datetime(2026, 12, 2, hour - 1, 0, tzinfo=datetime.UTC)  # Paris = UTC+1
        appointment_factory(start=start, title=title).staff.add(carla)
    appointment_factory(start=datetime.datetime(2026, 12, 3, 9, tzinfo=datetime.UTC)).staff.add(
        carla
    )
    return carla


def run_at(moment, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(moment, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        return recaps.send_due_recaps()


def test_n10_staff_member_gets_tomorrows_list_at_18h_in_her_zone(
    schedule, carla, time_machine, django_capture_on_commit_callbacks
):
    before = PARIS_18H - datetime.timedelta(minutes=1)
    assert run_at(before, time_machine, django_capture_on_commit_callbacks) == 0
    assert run_at(PARIS_18H, time_machine, django_capture_on_commit_callbacks) == 1
    (email,) = [m for m in mail.outbox if m.to[0].endswith("carla@example.test>")]
    assert email.subject == "Vos rendez-vous du mercredi 2 décembre"
    assert email.body.split("\n\n-- \n")[0] == "09:00 Coupe\n14:00 Couleur"


def test_n10_a_recap_is_sent_once_per_day(
    schedule, carla, time_machine, django_capture_on_commit_callbacks
):
    run_at(PARIS_18H, time_machine, django_capture_on_commit_callbacks)
    later = PARIS_18H + datetime.timedelta(minutes=15)
    assert run_at(later, time_machine, django_capture_on_commit_callbacks) == 0
    assert RecapRun.objects.count() == 1


def test_n10_each_recipient_gets_it_at_the_hour_of_their_own_zone(
    schedule, carla, time_machine, django_capture_on_commit_callbacks
):
    carla.time_zone = "America/Montreal"
    carla.save()
    assert run_at(PARIS_18H, time_machine, django_capture_on_commit_callbacks) == 0
    montreal_18h = datetime.datetime(2026, 12, 1, 23, 0, tzinfo=datetime.UTC)
    assert run_at(montreal_18h, time_machine, django_capture_on_commit_callbacks) == 1


def test_n10_nothing_to_list_means_no_recap(
    schedule, organisation, time_machine, django_capture_on_commit_callbacks
):
    idle = member(organisation, email="idle@example.test")
    assert run_at(PARIS_18H, time_machine, django_capture_on_commit_callbacks) == 0
    assert not [m for m in mail.outbox if idle.email in m.to[0]]


def test_n10_an_organisations_own_schedule_replaces_the_default(
    schedule, carla, organisation, time_machine, django_capture_on_commit_callbacks
):
    RecapSchedule.objects.create(
        event_code="testapp.daily_recap",
        organisation=organisation,
        send_time=datetime.time(7),
        day="same_day",
    )
    assert run_at(PARIS_18H, time_machine, django_capture_on_commit_callbacks) == 0
    paris_7h = datetime.datetime(2026, 12, 2, 6, 0, tzinfo=datetime.UTC)
    assert run_at(paris_7h, time_machine, django_capture_on_commit_callbacks) == 1
    assert mail.outbox[-1].body.split("\n\n-- \n")[0] == "09:00 Coupe\n14:00 Couleur"


def test_n10_a_recap_found_hours_late_is_skipped(
    schedule, carla, time_machine, django_capture_on_commit_callbacks
):
    too_late = PARIS_18H + recaps.MAX_LATENESS + datetime.timedelta(minutes=1)
    assert run_at(too_late, time_machine, django_capture_on_commit_callbacks) == 0


def test_n10_schedules_are_in_the_admin_and_the_task_in_beat(admin_client, schedule):
    from django_celery_beat.models import PeriodicTask

    listing = admin_client.get(reverse("admin:notifications_recapschedule_changelist"))
    assert list(listing.context["cl"].queryset) == [schedule]
    task = PeriodicTask.objects.get(task="notifications.tasks.send_due_recaps")
    assert (task.enabled, task.interval.every, task.interval.period) == (True, 15, "minutes")
