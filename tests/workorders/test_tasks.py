"""Tasks (SPEC R-9): created, assigned, due soon and completed → the creator and the assignees,
on the channels they chose."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Role
from notifications.dispatch import dispatch_due
from notifications.models import Delivery, Preference
from tests.factories import member
from tests.workorders.conftest import sent
from workorders import services

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 12, 1, 8, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)
Status = Delivery.Status


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def anna(shop):
    return member(shop, Role.STAFF, email="anna@example.test", display_name="Anna Roux")


@pytest.fixture
def screens(shop, bob, theo, frozen, on_commit):
    """Bob asks Théo to order screens by 16:00."""
    with on_commit():
        return services.create_task(
            shop, bob, title="Commander des écrans", assignees=[theo], due_at=NOW + 8 * HOUR
        )


def reminders(task):
    return Delivery.objects.concerning(task).filter(event__code="tasks.due")


def test_r9_a_new_task_tells_its_assignees_on_their_channels(screens, theo, bob):
    assert sent("tasks.created") == [
        ("theo@example.test", "email", "Nouvelle tâche\u00a0: Commander des écrans"),
        (f"user:{theo.pk}", "inapp", "Nouvelle tâche\u00a0: Commander des écrans"),
    ]
    (email,) = mail.outbox
    assert "Bob Martin vous a confié une tâche" in email.body
    assert "À faire pour le 1 décembre 2026 à 17:00" in email.body  # Paris time


def test_r9_a_channel_turned_off_is_respected(shop, bob, theo, frozen, on_commit):
    Preference.objects.create(user=theo, group="tasks", channel="email", enabled=False)
    with on_commit():
        services.create_task(shop, bob, title="Inventaire", assignees=[theo])
    assert [channel for _a, channel, _s in sent("tasks.created")] == ["inapp"]


def test_r9_a_specialist_chooses_the_channels_of_their_tasks(client, theo):
    client.force_login(theo)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "Mes tâches" in page


def test_r9_people_assigned_later_are_told_once(screens, bob, theo, anna, on_commit):
    with on_commit():
        services.save_task(screens, bob, assignees=[theo, anna])
    assert [address for address, *_ in sent("tasks.assigned")] == [
        "anna@example.test",
        f"user:{anna.pk}",
    ]


def test_r9_completing_a_task_tells_its_creator(screens, theo, bob, on_commit):
    with on_commit():
        services.complete_task(screens, theo)
    assert sent("tasks.completed") == [
        ("bob@example.test", "email", "Tâche terminée\u00a0: Commander des écrans"),
        (f"user:{bob.pk}", "inapp", "Tâche terminée\u00a0: Commander des écrans"),
    ]
    assert "Théo Lambert a terminé la tâche" in mail.outbox[-1].body


def test_r9_the_assignees_are_reminded_an_hour_before_it_is_due(screens, frozen, on_commit):
    assert {(d.channel, d.status, d.send_at) for d in reminders(screens)} == {
        ("email", Status.SCHEDULED, NOW + 7 * HOUR),
        ("inapp", Status.SCHEDULED, NOW + 7 * HOUR),
    }
    frozen.move_to(NOW + 7 * HOUR, tick=False)
    with on_commit():
        dispatch_due()
    assert sent("tasks.due", "email") == [
        ("theo@example.test", "email", "Bientôt due\u00a0: Commander des écrans")
    ]


def test_r9_moving_the_due_date_or_the_assignees_moves_the_reminders(
    screens, bob, theo, anna, on_commit
):
    with on_commit():
        services.save_task(screens, bob, assignees=[anna])
        screens.due_at = NOW + 30 * HOUR
        services.save_task(screens, bob)
    pending = reminders(screens).filter(status=Status.SCHEDULED)
    assert {(d.user, d.send_at) for d in pending} == {(anna, NOW + 29 * HOUR)}
    assert not reminders(screens).filter(user=theo, status=Status.SCHEDULED).exists()


def test_r9_a_creator_who_is_an_assignee_is_reminded_too(shop, bob, frozen, on_commit):
    with on_commit():
        task = services.create_task(
            shop, bob, title="Fermer la caisse", assignees=[bob], due_at=NOW + 3 * HOUR
        )
    assert sent("tasks.created") == []  # not told what they did themselves
    assert {d.user for d in reminders(task)} == {bob}


def test_r9_a_completed_task_is_not_reminded(screens, theo, frozen, on_commit):
    with on_commit():
        services.complete_task(screens, theo)
    assert {(d.status, d.reason) for d in reminders(screens)} == {
        (Status.CANCELLED, "cancelled with its object")
    }
    frozen.move_to(NOW + 7 * HOUR, tick=False)
    assert dispatch_due() == 0


def test_r9_an_assignee_marks_a_task_done_from_the_portal_home(
    client, screens, theo, anna, on_commit
):
    client.force_login(theo)
    home = client.get(reverse("home")).content.decode()
    assert "Commander des écrans" in home and "Marquer comme terminée" in home
    client.force_login(anna)  # not hers: nothing to see, nothing to complete
    assert "Commander des écrans" not in client.get(reverse("home")).content.decode()
    done = reverse("workorders:complete_task", args=[screens.pk])
    assert client.post(done).status_code == 404
    client.force_login(theo)
    assert client.get(done).status_code == 405
    with on_commit():
        assert client.post(done).status_code == 302
    screens.refresh_from_db()
    assert screens.completed_by == theo
    assert sent("tasks.completed", "email") == [
        ("bob@example.test", "email", "Tâche terminée\u00a0: Commander des écrans")
    ]
