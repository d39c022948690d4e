"""Who hears of what happens to a request, on which channel — and who does not (SPEC R-2 … R-6)."""

import pytest
from django.core import mail

from accounts.models import Role
from notifications.models import Delivery
from requests_center import services
from requests_center.models import Category, Request
from tests.factories import member
from tests.requests_center.conftest import sent

pytestmark = pytest.mark.django_db


def test_r2_new_request_notifies_category_managers_by_push_and_email(leak, bob, alice):
    assert sent("requests.created", "email") == [
        (bob.email, "email", f"Vous avez reçu une nouvelle demande (ID {leak.pk})")
    ]
    push = Delivery.objects.get(event__code="requests.created", channel="push")
    assert (push.user, push.priority) == (bob, "high")
    assert push.status == Delivery.Status.SUPPRESSED  # Bob has no phone registered yet
    assert alice.email not in [m.to[0] for m in mail.outbox if "nouvelle demande" in m.subject]


def test_r2_request_without_category_managers_goes_to_the_default_manager(
    organisation, alice, site, dominique, on_commit
):
    access = Category.objects.create(organisation=organisation, name="Badges")
    with on_commit():
        request = services.submit(
            alice, site=site, category=access, title="Badge", description="Perdu"
        )
    assert sent("requests.created", "email") == [
        (dominique.email, "email", f"Vous avez reçu une nouvelle demande (ID {request.pk})")
    ]


def test_r2_english_speaking_manager_reads_english(organisation, alice, site, on_commit):
    category = Category.objects.create(organisation=organisation, name="Heating")
    sam = member(organisation, Role.MANAGER, email="sam@example.test", language="en")
    category.managers.add(sam)
    with on_commit():
        request = services.submit(
            alice, site=site, category=category, title="Cold", description="x"
        )
    assert sent("requests.created", "email") == [
        (sam.email, "email", f"You have received a new request (ID {request.pk})")
    ]


def test_r3_assigned_manager_is_told_and_the_declarant_learns_who(
    leak, bob, alice, dominique, on_commit
):
    with on_commit():
        services.update(leak, bob, assigned_to=dominique)
    assert sent("requests.assigned") == [
        (alice.email, "email", f"Votre demande ID {leak.pk} est prise en charge"),
        (alice.email, "inapp", f"Votre demande ID {leak.pk} est prise en charge"),
        (dominique.email, "email", f"La demande ID {leak.pk} vous est attribuée"),
    ]
    # A batch's emails leave side by side: find Alice's by its address, not its place.
    [to_alice] = [m for m in mail.outbox if any(alice.email in to for to in m.to)]
    assert "Dominique s’occupe de votre demande" in to_alice.body
    assert Delivery.objects.get(event__code="requests.assigned", channel="push").priority == "high"


def test_r3_manager_who_takes_a_request_is_not_told_about_it(leak, bob, alice, on_commit):
    with on_commit():
        services.update(leak, bob, assigned_to=bob)
    assert [email for email, _channel, _subject in sent("requests.assigned")] == [alice.email] * 2


def test_r4_public_comment_reaches_participants_but_never_its_author(
    leak, bob, alice, chloe, dominique, on_commit
):
    with on_commit():
        services.update(leak, bob, assigned_to=dominique)
        services.follow(leak, chloe)
        services.comment(leak, alice, "Ça coule encore.")
    recipients = {email for email, _channel, _subject in sent("requests.commented")}
    assert recipients == {dominique.email, chloe.email}
    assert any(
        "Alice Durand a écrit" in m.body and "Ça coule encore." in m.body for m in mail.outbox
    )


def test_r4_internal_comment_reaches_managers_only(leak, bob, alice, chloe, dominique, on_commit):
    with on_commit():
        services.follow(leak, chloe)
        services.update(leak, bob, assigned_to=dominique)
        services.comment(leak, dominique, "Appeler le plombier.", internal=True)
    assert sent("requests.internal_comment") == [
        (bob.email, "email", f"Note interne sur la demande ID {leak.pk}")
    ]
    assert not Delivery.objects.filter(event__code="requests.internal_comment", user=alice).exists()
    assert not Delivery.objects.filter(event__code="requests.commented").exists()


def test_r4_no_rule_can_be_stored_telling_the_declarant_of_an_internal_note():
    from notifications.models import Rule

    with pytest.raises(ValueError, match="does not allow declarant"):
        Rule.objects.create(
            name="Leak", event_code="requests.internal_comment", roles=["declarant"]
        )


def test_r4_a_rule_edited_around_the_checks_still_never_tells_the_declarant(
    leak, bob, alice, chloe, on_commit
):
    from notifications.models import Event, Rule

    shipped = Rule.objects.get(default_key="requests.internal_comment/managers")
    # An update() skips Rule.save: the engine refuses the role again when planning.
    Rule.objects.filter(pk=shipped.pk).update(roles=["request_managers", "declarant"])
    with on_commit():
        services.follow(leak, chloe)
        services.comment(leak, bob, "Le voisin du dessous se plaint.", internal=True)
    assert not Delivery.objects.filter(event__code="requests.internal_comment", user=alice).exists()
    event = Event.objects.get(code="requests.internal_comment")
    assert "names declarant, which requests.internal_comment does not allow" in event.planning_error


def test_r4_the_rule_form_offers_and_accepts_only_the_events_roles(client, bob, organisation):
    from django.urls import reverse

    client.force_login(bob)
    add = reverse("admin:notifications_rule_add") + "?event_code=requests.internal_comment"
    offered = dict(client.get(add).context["adminform"].form.fields["roles"].choices)
    assert set(offered) == {"request_managers", "assigned_manager"}


def test_r5_new_follower_is_told(leak, chloe, bob, on_commit):
    with on_commit():
        services.follow(leak, chloe, actor=bob)
    assert sent("requests.follower_added") == [
        (chloe.email, "email", f"Vous suivez la demande ID {leak.pk}"),
        (chloe.email, "inapp", f"Vous suivez la demande ID {leak.pk}"),
    ]


def test_r6_status_change_reaches_declarant_and_followers(leak, bob, alice, chloe, on_commit):
    with on_commit():
        services.follow(leak, chloe)
        services.update(leak, bob, status=Request.Status.IN_PROGRESS)
    assert {email for email, _c, _s in sent("requests.status_changed")} == {
        alice.email,
        chloe.email,
    }
    assert f"Demande ID {leak.pk}\u00a0: En cours" in {
        s for _e, _c, s in sent("requests.status_changed")
    }


def test_r6_resolution_message_carries_the_details(leak, bob, alice, on_commit):
    with on_commit():
        services.update(leak, bob, status=Request.Status.RESOLVED, resolution="Joint remplacé.")
    email = next(m for m in mail.outbox if m.subject == f"Demande ID {leak.pk}\u00a0: Résolue")
    assert "de «\u00a0Ouverte\u00a0» à «\u00a0Résolue\u00a0»" in email.body
    assert "Résolution\u00a0: Joint remplacé." in email.body


def test_r6_an_unchanged_save_announces_nothing(leak, bob, on_commit):
    with on_commit():
        services.update(leak, bob, title="Fuite d'eau (cuisine)")
    assert not Delivery.objects.filter(
        event__code__in=["requests.assigned", "requests.status_changed"]
    ).exists()
