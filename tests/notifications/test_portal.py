"""The engine's portal pages: preferences, the in-app inbox, one-click unsubscribe."""

import datetime
import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertInHTML

import notifications
from notifications import planning
from notifications.models import Delivery, Preference, Suppression
from notifications.unsubscribe import make_token
from tests.factories import RuleFactory
from tests.testapp.models import Guest

pytestmark = pytest.mark.django_db
Status = Delivery.Status
ONE_CLICK = "List-Unsubscribe=One-Click"
SECURITY_TEXTS = {
    "fr": ("Votre code", "Code : {{ code }}"),
    "en": ("Your code", "Code: {{ code }}"),
}


@pytest.fixture
def emit(django_capture_on_commit_callbacks):
    """Emit as a domain app does; planning and sending run when the transaction commits."""

    def emit(code, target, /, **data):
        with django_capture_on_commit_callbacks(execute=True):
            return notifications.emit(code, target, **data)

    return emit


@pytest.fixture
def rules():
    """Appointments by email and in-app; the security code by email, which is mandatory."""
    return [
        RuleFactory(roles=["client", "guests"], channels=["email", "inapp"]),
        RuleFactory(
            event_code="testapp.secret_code",
            roles=["client"],
            channels=["email"],
            templates=SECURITY_TEXTS,
        ),
    ]


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def checkbox(value, *, checked=True, disabled=False):
    attributes = " checked" if checked else ""
    if disabled:
        attributes += ' disabled aria-describedby="preferences-help"'
    return f'<input type="checkbox" name="on" value="{value}"{attributes}>'


def preference(user, group, channel):
    """The person's choice; no row is on (only choices that changed are stored and recorded)."""
    row = Preference.objects.filter(user=user, group=group, channel=channel).first()
    return True if row is None else row.enabled


def one_click(url):
    """What a mail client does with List-Unsubscribe-Post: a form POST without CSRF token."""
    return Client(enforce_csrf_checks=True).post(
        url, ONE_CLICK, content_type="application/x-www-form-urlencoded"
    )


def unsubscribe_path(message):
    """The path of the URL in an email's List-Unsubscribe header."""
    header = message.extra_headers["List-Unsubscribe"]
    url = re.fullmatch(r"<(.+)>", header).group(1)
    assert url.startswith(settings.SITE_URL + "/unsubscribe/")
    return url.removeprefix(settings.SITE_URL)


# --- N-5: preferences -----------------------------------------------------------------------


def test_n5_preferences_require_login(client):
    response = client.get(reverse("notifications:preferences"))
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={reverse('notifications:preferences')}"


def test_n5_preferences_show_each_group_by_channel(alice_client, rules):
    response = alice_client.get(reverse("notifications:preferences"))
    page = response.content.decode()
    groups = [group.code for group, _choices in response.context["rows"]]
    assert sorted(groups) == ["appointments", "security"]
    # Columns are the channels some rule uses; nothing is SMS or push here.
    assert [str(channel) for channel in response.context["channels"]] == ["email", "inapp"]
    assertInHTML(checkbox("appointments:email"), page)
    assertInHTML(checkbox("appointments:inapp"), page)
    assert 'value="appointments:sms"' not in page


def test_n5_another_organisations_rules_add_no_channel(alice_client, rules, other_organisation):
    RuleFactory(channels=["sms"], organisation=other_organisation)
    response = alice_client.get(reverse("notifications:preferences"))
    assert [str(channel) for channel in response.context["channels"]] == ["email", "inapp"]


def test_n5_mandatory_group_is_shown_locked(alice_client, rules):
    page = alice_client.get(reverse("notifications:preferences")).content.decode()
    assertInHTML(checkbox("security:email", disabled=True), page)
    assert 'class="lock"' in page


def test_n5_unticked_channel_is_saved_off_and_later_delivery_suppressed(
    alice_client, alice, rules, appointment_factory, emit
):
    response = alice_client.post(
        reverse("notifications:preferences"), {"on": ["appointments:inapp"]}, follow=True
    )
    assert response.redirect_chain == [(reverse("notifications:preferences"), 302)]
    assert preference(alice, "appointments", "email") is False
    assert preference(alice, "appointments", "inapp") is True
    assertInHTML(checkbox("appointments:email", checked=False), response.content.decode())

    event = emit("testapp.booked", appointment_factory())

    email = event.deliveries.get(channel="email")
    assert email.status == Status.SUPPRESSED
    assert email.reason == planning.TURNED_OFF == "turned off by the recipient"
    assert event.deliveries.get(channel="inapp").status == Status.SENT
    assert mail.outbox == []


def test_n5_ticking_again_turns_the_channel_back_on(
    alice_client, alice, rules, appointment_factory, emit
):
    Preference.objects.create(user=alice, group="appointments", channel="email", enabled=False)
    alice_client.post(
        reverse("notifications:preferences"), {"on": ["appointments:email", "appointments:inapp"]}
    )
    event = emit("testapp.booked", appointment_factory())
    assert event.deliveries.get(channel="email").status == Status.SENT


def test_n5_forged_post_cannot_turn_off_a_mandatory_group(
    alice_client, alice, rules, appointment_factory, emit
):
    # The disabled box is not sent; a forged form simply leaves the security group out.
    alice_client.post(reverse("notifications:preferences"), {"on": ["appointments:email"]})
    assert not Preference.objects.filter(user=alice, group="security").exists()

    event = emit("testapp.secret_code", appointment_factory(), code="424242")

    assert event.deliveries.get().status == Status.SENT
    assert [message.subject for message in mail.outbox] == ["Votre code"]
    assert "424242" in mail.outbox[0].body


def test_n5_forged_values_are_ignored(alice_client, alice, rules):
    response = alice_client.post(
        reverse("notifications:preferences"), {"on": ["nonsense", "appointments:voice", ":"]}
    )
    assert response.status_code == 302
    assert set(
        Preference.objects.filter(user=alice).values_list("group", "channel", "enabled")
    ) == {("appointments", "email", False), ("appointments", "inapp", False)}


# --- N-13: the in-app inbox -----------------------------------------------------------------


@pytest.fixture
def inbox_rule():
    return RuleFactory(roles=["client"], channels=["inapp", "email"])


@pytest.fixture
def two_messages(inbox_rule, appointment_factory, emit, time_machine):
    """Alice's in-app messages about two appointments, booked a minute apart."""
    time_machine.move_to(datetime.datetime(2026, 12, 1, 8, 0, tzinfo=datetime.UTC), tick=False)
    first = emit("testapp.booked", appointment_factory(title="Coupe"))
    time_machine.move_to(datetime.datetime(2026, 12, 1, 8, 1, tzinfo=datetime.UTC), tick=False)
    second = emit("testapp.booked", appointment_factory(title="Couleur"))
    return [event.deliveries.get(channel="inapp") for event in (first, second)]


def test_n13_inbox_requires_login(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_n13_inbox_lists_in_app_messages_newest_first(alice_client, two_messages):
    response = alice_client.get(reverse("notifications:inbox"))
    assert list(response.context["deliveries"]) == two_messages[::-1]
    page = response.content.decode()
    assert page.index("Rendez-vous : Couleur") < page.index("Rendez-vous : Coupe")
    assert page.count('class="card message unread"') == 2


def test_n13_inbox_orders_by_arrival_not_by_planning(alice_client, two_messages):
    # A reminder planned long ago arrives now: it is the newest message.
    first, second = two_messages
    later = second.sent_at + datetime.timedelta(hours=1)
    Delivery.objects.filter(pk=first.pk).update(sent_at=later)
    response = alice_client.get(reverse("notifications:inbox"))
    assert list(response.context["deliveries"]) == [first, second]


def test_n13_inbox_shows_neither_emails_nor_other_people_messages(
    client, bob, two_messages, appointment_factory, emit
):
    emit("testapp.booked", appointment_factory(client=bob))
    client.force_login(bob)
    deliveries = client.get(reverse("notifications:inbox")).context["deliveries"]
    assert [(d.user, d.channel) for d in deliveries] == [(bob, "inapp")]


def test_n13_unread_count_is_shown_in_the_menu(alice_client, two_messages):
    response = alice_client.get(reverse("home"))
    assert response.context["unread_count"] == 2
    assertInHTML('<span class="badge" aria-hidden="true">2</span>', response.content.decode())


def test_n13_no_badge_without_unread_messages(alice_client, two_messages):
    Delivery.objects.update(read_at=datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC))
    response = alice_client.get(reverse("notifications:inbox"))
    assert response.context["unread_count"] == 0
    assert 'class="badge"' not in response.content.decode()
    assert reverse("notifications:read_all") not in response.content.decode()


def test_n13_opening_a_message_marks_it_read_and_leads_to_its_object(alice_client, two_messages):
    first, second = two_messages
    response = alice_client.post(reverse("notifications:open", args=[first.pk]))
    assert response.status_code == 302
    assert response.url == first.event.target.get_absolute_url()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None
    assert alice_client.get(reverse("home")).context["unread_count"] == 1


def test_n13_opening_a_message_without_object_returns_to_the_inbox(alice_client, two_messages):
    first = two_messages[0]
    first.event.target.delete()
    response = alice_client.post(reverse("notifications:open", args=[first.pk]))
    assert response.url == reverse("notifications:inbox")


def test_n13_opening_needs_a_post(alice_client, two_messages):
    response = alice_client.get(reverse("notifications:open", args=[two_messages[0].pk]))
    assert response.status_code == 405
    two_messages[0].refresh_from_db()
    assert two_messages[0].read_at is None


def test_n13_mark_all_read(alice_client, two_messages):
    response = alice_client.post(reverse("notifications:read_all"))
    assert response.url == reverse("notifications:inbox")
    assert not Delivery.objects.filter(channel="inapp", read_at=None).exists()


def test_n13_another_users_message_is_not_found(client, bob, two_messages):
    client.force_login(bob)
    response = client.post(reverse("notifications:open", args=[two_messages[0].pk]))
    assert response.status_code == 404
    assert not Delivery.objects.exclude(read_at=None).exists()


def test_n13_mark_all_read_leaves_other_people_alone(
    client, bob, two_messages, appointment_factory, emit
):
    emit("testapp.booked", appointment_factory(client=bob))
    client.force_login(bob)
    client.post(reverse("notifications:read_all"))
    assert not Delivery.objects.filter(pk__in=[d.pk for d in two_messages]).exclude(read_at=None)
    assert not Delivery.objects.filter(user=bob, channel="inapp", read_at=None).exists()


# --- C-1, P-2: one-click unsubscribe --------------------------------------------------------


@pytest.fixture
def email_rule():
    return RuleFactory(roles=["client", "guests"], channels=["email"])


def test_c1_engine_email_carries_one_click_unsubscribe_whose_url_works(
    alice, email_rule, appointment_factory, emit
):
    emit("testapp.booked", appointment_factory())
    (message,) = mail.outbox
    assert message.extra_headers["List-Unsubscribe-Post"] == ONE_CLICK

    response = one_click(unsubscribe_path(message))

    assert response.status_code == 200
    assert preference(alice, "appointments", "email") is False
    later = emit("testapp.booked", appointment_factory(title="Couleur"))
    assert later.deliveries.get().reason == planning.TURNED_OFF
    assert len(mail.outbox) == 1


def test_c1_mandatory_email_has_no_unsubscribe_header(alice, appointment_factory, emit):
    RuleFactory(
        event_code="testapp.secret_code",
        roles=["client"],
        channels=["email"],
        templates=SECURITY_TEXTS,
    )
    emit("testapp.secret_code", appointment_factory(), code="1")
    (message,) = mail.outbox
    assert "List-Unsubscribe" not in message.extra_headers
    assert "List-Unsubscribe-Post" not in message.extra_headers


def test_c1_one_click_for_a_plain_contact_suppresses_the_address(
    email_rule, appointment_factory, emit
):
    appointment = appointment_factory()
    Guest.objects.create(appointment=appointment, name="Carole", email="carole@example.test")
    emit("testapp.booked", appointment)
    (to_guest,) = [m for m in mail.outbox if m.to == ["Carole <carole@example.test>"]]

    response = one_click(unsubscribe_path(to_guest))

    assert response.status_code == 200
    suppression = Suppression.objects.get(channel="email", address="carole@example.test")
    assert suppression.reason == Suppression.Reason.UNSUBSCRIBED
    assert not Preference.objects.exists()
    later = emit("testapp.booked", appointment)  # a second event about the same appointment
    to_carole = later.deliveries.get(address="carole@example.test")
    assert to_carole.reason == planning.ON_SUPPRESSION_LIST


def test_p2_unsubscribe_page_asks_first_without_login(client, alice):
    token = make_token(f"user:{alice.pk}", "appointments", "email", alice.email)
    response = client.get(reverse("notifications:unsubscribe", args=[token]))
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["done"] is False
    assert response.context["group"] == "Appointments"
    assert re.search(
        r'<form method="post">.*<button type="submit" class="primary">', page, re.DOTALL
    )
    assert '<meta name="robots" content="noindex">' in page
    assert not Preference.objects.exists()


def test_p2_confirming_on_the_page_unsubscribes(alice):
    token = make_token(f"user:{alice.pk}", "appointments", "email", alice.email)
    browser = Client(enforce_csrf_checks=True)
    url = reverse("notifications:unsubscribe", args=[token])
    page = browser.get(url).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = browser.post(url, {"csrfmiddlewaretoken": csrf})
    assert response.status_code == 200
    assert response.context["done"] is True
    assert Preference.objects.get(user=alice).enabled is False


@pytest.mark.parametrize("method", ["get", "post"])
def test_p2_tampered_token_is_not_found_and_changes_nothing(client, alice, method):
    token = make_token(f"user:{alice.pk}", "appointments", "email", alice.email)
    forged = make_token(f"user:{alice.pk + 1}", "appointments", "email", "x@example.test")
    tampered = token.split(":")[0] + ":" + forged.split(":", 1)[1]
    for bad in (tampered, token[:-2] + "xx", "not-a-token"):
        response = getattr(client, method)(reverse("notifications:unsubscribe", args=[bad]))
        assert response.status_code == 404
    assert not Preference.objects.exists()
    assert not Suppression.objects.exists()


def test_p2_token_of_a_deleted_user_is_not_found(client, alice):
    token = make_token(f"user:{alice.pk}", "appointments", "email", alice.email)
    alice.delete()
    response = one_click(reverse("notifications:unsubscribe", args=[token]))
    assert response.status_code == 404


# --- P-1: pages in French, on a phone, for everyone -----------------------------------------


@pytest.mark.parametrize(
    "url_name", ["notifications:preferences", "notifications:inbox", "home", "login"]
)
def test_p1_portal_pages_are_french_and_fit_a_phone(client, alice, rules, url_name):
    if url_name != "login":
        client.force_login(alice)
    response = client.get(reverse(url_name))
    page = response.content.decode()
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "fr"
    assert '<html lang="fr">' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert '<main class="page" id="content" tabindex="-1">' in page


def test_p1_every_preference_box_has_a_label(alice_client, rules):
    page = alice_client.get(reverse("notifications:preferences")).content.decode()
    boxes = re.findall(r"<label class=\"check\">\s*<input type=\"checkbox\"", page)
    assert len(boxes) == page.count('type="checkbox"') == 3
    assert page.count('<span class="visually-hidden">Appointments ·</span>') == 2


def test_n5_an_occupant_is_not_offered_a_managers_subjects(client, alice, bob):
    import requests_center.events  # noqa: F401  (declares the staff-only "request_desk" group)
    from notifications.preferences import preference_matrix
    from tests.factories import RuleFactory

    RuleFactory(
        event_code="requests.created",
        roles=["request_managers"],
        channels=["email"],
        templates={"fr": ("x", "y")},
    )
    assert "request_desk" not in {group.code for group, _choices in preference_matrix(alice)}
    assert "request_desk" in {group.code for group, _choices in preference_matrix(bob)}
