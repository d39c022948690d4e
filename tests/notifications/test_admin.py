"""The notification back office (SPEC N-1, N-2, N-3, N-5, N-6, N-7, P-3), through the real admin."""

import csv
import datetime
import io

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.urls import path, reverse
from django.utils import timezone

import notifications
from accounts.admin_site import RelaisAdminSite
from accounts.models import Role
from accounts.scoping import OrganisationScopedAdmin
from notifications import planning
from notifications.admin import DeliveryHistoryInline
from notifications.models import Delivery, Event, MessageTemplate, Preference, Rule, Suppression
from notifications.rules import rules_for_event
from notifications.timing import describe_timing
from tests.factories import RuleFactory, UserFactory, member
from tests.testapp.models import Appointment

pytestmark = pytest.mark.django_db

# A throwaway admin showing the history panel, as a domain app's admin would (SPEC N-6).
history_site = RelaisAdminSite(name="history_admin")


@admin.register(Appointment, site=history_site)
class AppointmentAdmin(OrganisationScopedAdmin):
    inlines = [DeliveryHistoryInline]


urlpatterns = [path("admin/", admin.site.urls), path("history-admin/", history_site.urls)]


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob)
    return _english(client)


@pytest.fixture
def root():
    return UserFactory(email="root@example.test", is_staff=True, is_superuser=True)


@pytest.fixture
def root_client(client, root):
    client.force_login(root)
    return _english(client)


@pytest.fixture
def carol(other_organisation):
    """Carol lives at Parc Horizon, which Bob does not manage."""
    return member(other_organisation, email="carol@example.test", display_name="Carol Petit")


def _url(name, *args):
    return reverse(f"admin:notifications_{name}", args=args)


def _event(organisation, target=None, code="testapp.booked", **fields):
    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    return Event.objects.create(
        code=code,
        organisation=organisation,
        target_type=target_type,
        target_id=target.pk if target is not None else None,
        planned_at=fields.pop("planned_at", None),
        **fields,
    )


def _delivery(event, address, **fields):
    fields.setdefault("status", Delivery.Status.SENT)
    fields.setdefault("channel", "email")
    return Delivery.objects.create(
        event=event,
        organisation=event.organisation,
        target_type=event.target_type,
        target_id=event.target_id,
        recipient_key=f"contact:{address}",
        recipient_name=fields.pop("recipient_name", "Someone"),
        address=address,
        language="en",
        time_zone="Europe/Paris",
        priority="default",
        dedupe_key=f"{event.pk}:{address}:{fields['channel']}",
        send_at=event.created_at,
        **fields,
    )


def _rule_data(organisation, **overrides):
    """What the rule form posts: a reminder 24 h before start, one email template."""
    data = {
        "name": "Reminder",
        "event_code": "testapp.booked",
        "organisation": organisation.pk,
        "enabled": "on",
        "priority": "default",
        "roles": ["client"],
        "channels": ["email"],
        "fallback_channel": "",
        "sender_mode": "no_reply",
        "timing_amount": "24",
        "timing_unit": "hours",
        "timing_direction": "before",
        "anchor": "start",
        "templates-TOTAL_FORMS": "1",
        "templates-INITIAL_FORMS": "0",
        "templates-0-channel": "email",
        "templates-0-language": "fr",
        "templates-0-subject": "Rappel : {{ title }}",
        "templates-0-body": "Bonjour {{ recipient_name }}, c'est le {{ start }}.",
        "templates-0-html": "",
    }
    data.update(overrides)
    return data


def _add_rule(client, data):
    return client.post(_url("rule_add") + "?event_code=testapp.booked", data)


# N-1 -----------------------------------------------------------------------------------------


def test_n1_catalog_page_lists_events_roles_variables(bob_client, organisation):
    RuleFactory(organisation=organisation)
    RuleFactory(organisation=None)
    changelist = bob_client.get(_url("rule_changelist")).content.decode()
    assert _url("rule_catalog") in changelist  # the list links to the catalog
    page = bob_client.get(_url("rule_catalog")).content.decode()
    assert "testapp.booked" in page and "Appointment booked" in page
    assert "Client" in page and "<code>guests</code>" in page  # roles: label and code
    assert "{{ title }}" in page and "Coupe" in page  # a variable and its example
    assert "Created at least 48 h before the start" in page  # a condition
    assert "<code>created</code>" in page  # an anchor
    assert "Mandatory" in page  # testapp.secret_code cannot be turned off
    assert "{{ unsubscribe_url }}" in page  # the variables every template has
    assert "2 rules" in page  # Bob's and the default, for testapp.booked


# N-2 -----------------------------------------------------------------------------------------


def test_n2_adding_a_rule_starts_by_choosing_its_event(bob_client):
    page = bob_client.get(_url("rule_add")).content.decode()
    assert 'name="event_code"' in page and "testapp.secret_code" in page
    form = bob_client.get(_url("rule_add") + "?event_code=testapp.booked").context["adminform"]
    roles = dict(form.form.fields["roles"].choices)
    assert set(roles) == {"client", "staff", "guests", "managers"}


def test_n19_a_day_offset_is_kept_in_days_and_said_so(bob_client, organisation):
    data = _rule_data(organisation, timing_amount="1", timing_unit="days")
    response = _add_rule(bob_client, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    rule = Rule.objects.get(name="Reminder")
    assert (rule.offset_minutes, rule.offset_unit, rule.keeps_wall_clock) == (-1440, "days", True)
    assert describe_timing(rule) == "1 day before Start"
    page = bob_client.get(_url("rule_change", rule.pk))
    assert page.context["adminform"].form.initial["timing_unit"] == "days"
    assert "even when the clocks change" in page.content.decode()
    assert "never sent once that date has passed" in page.content.decode()


def test_n2_rule_form_maps_timing_to_offset(bob_client, organisation):
    response = _add_rule(bob_client, _rule_data(organisation))
    assert response.status_code == 302, response.context["adminform"].form.errors
    rule = Rule.objects.get(name="Reminder")
    assert (rule.anchor, rule.offset_minutes) == ("start", -1440)
    assert describe_timing(rule) == "24 h before Start"

    form = bob_client.get(_url("rule_change", rule.pk)).context["adminform"].form
    assert form.initial["timing_amount"] == 24
    assert form.initial["timing_unit"] == "hours"
    assert form.initial["timing_direction"] == "before"

    data = _rule_data(organisation, anchor="created", timing_amount="10", timing_unit="minutes")
    data.update({"timing_direction": "after", "templates-INITIAL_FORMS": "1"})
    data["templates-0-id"] = rule.templates.get().pk
    data["templates-0-rule"] = rule.pk
    bob_client.post(_url("rule_change", rule.pk), data)
    rule.refresh_from_db()
    assert (rule.anchor, rule.offset_minutes) == ("created", 10)

    data["anchor"] = ""  # at once: the offset means nothing
    bob_client.post(_url("rule_change", rule.pk), data)
    rule.refresh_from_db()
    assert (rule.anchor, rule.offset_minutes) == ("", 0)
    assert describe_timing(rule) == "at once"


def test_n2_rule_list_shows_timing_in_words(bob_client, organisation):
    RuleFactory(name="Two days before", organisation=organisation, anchor="start")
    Rule.objects.filter(name="Two days before").update(offset_minutes=-2880)
    RuleFactory(name="Right away", organisation=organisation)
    page = bob_client.get(_url("rule_changelist")).content.decode()
    assert "2 days before Start" in page
    assert "at once" in page


def test_n2_rule_form_refuses_what_the_event_does_not_declare(bob_client, organisation):
    data = _rule_data(organisation, roles=["client", "pilots"], anchor="landing")
    data["conditions"] = ["still_unpaid", "sunny"]
    response = _add_rule(bob_client, data)
    errors = response.context["adminform"].form.errors
    assert {"roles", "anchor", "conditions"} <= set(errors)
    assert not Rule.objects.exists()


def test_n2_rule_form_refuses_a_half_send_window(bob_client, organisation):
    response = _add_rule(bob_client, _rule_data(organisation, send_window_start="07:00"))
    assert "send_window_end" in response.context["adminform"].form.errors
    assert not Rule.objects.exists()


def test_n2_manager_cannot_create_a_default_rule(bob_client, organisation):
    data = _rule_data(organisation)
    data["organisation"] = ""
    response = _add_rule(bob_client, data)
    assert "organisation" in response.context["adminform"].form.errors
    assert not Rule.objects.exists()


def test_n2_dry_run_writes_nothing(bob_client, organisation, alice, appointment_factory):
    rule = RuleFactory(organisation=organisation, roles=["client"], channels=["email", "inapp"])
    event = _event(organisation, appointment_factory())
    before = (Delivery.objects.count(), Event.objects.count())

    page = bob_client.get(_url("rule_dry_run", rule.pk)).content.decode()
    assert f'value="{event.pk}"' in page  # offered for the dry run
    response = bob_client.get(_url("rule_dry_run", rule.pk), {"event": event.pk})

    run = response.context["run"]
    assert [(r.delivery.channel, r.delivery.address) for r in run.results] == [
        ("email", alice.email),
        ("inapp", f"user:{alice.pk}"),
    ]
    assert run.results[0].message.subject == "Rendez-vous : Coupe"
    assert "Bonjour Alice Durand" in response.content.decode()
    assert (Delivery.objects.count(), Event.objects.count()) == before
    assert mail.outbox == []


def test_n2_dry_run_explains_a_failed_condition(bob_client, organisation, appointment_factory):
    rule = RuleFactory(organisation=organisation, conditions=["created_48h_before_start"])
    event = _event(organisation, appointment_factory(start=datetime.datetime.now(datetime.UTC)))
    response = bob_client.get(_url("rule_dry_run", rule.pk), {"event": event.pk})
    assert "Condition not met: Created at least 48 h before the start" in response.content.decode()


def test_p3_dry_run_refuses_another_organisations_event(
    bob_client, organisation, other_organisation, carol
):
    rule = RuleFactory(organisation=None)
    start = datetime.datetime(2026, 12, 1, 10, tzinfo=datetime.UTC)
    appointment = Appointment.objects.create(
        organisation=other_organisation, title="X", start=start, client=carol
    )
    theirs = _event(other_organisation, appointment)
    page = bob_client.get(_url("rule_dry_run", rule.pk))
    assert theirs not in page.context["events"]
    assert bob_client.get(_url("rule_dry_run", rule.pk), {"event": theirs.pk}).status_code == 404


def test_n2_manager_customises_a_default_rule_for_their_organisation(
    bob_client, organisation, appointment_factory
):
    default = RuleFactory(name="Confirm", organisation=None)
    change = _url("rule_change", default.pk)

    page = bob_client.get(change)
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert bob_client.post(change, _rule_data(organisation)).status_code == 403
    bob_client.post(_url("rule_delete", default.pk), {"post": "yes"})
    assert Rule.objects.filter(pk=default.pk).exists()

    response = bob_client.post(
        _url("rule_customise", default.pk), {"organisation": organisation.pk}
    )
    own = Rule.objects.get(overrides=default)
    assert response.url == _url("rule_change", own.pk)
    assert own.organisation == organisation and own.default_key is None
    assert {(t.channel, t.language, t.subject) for t in own.templates.all()} == {
        (t.channel, t.language, t.subject) for t in default.templates.all()
    }
    # From now on the organisation's copy replaces the default for its events.
    event = _event(organisation, appointment_factory())
    assert rules_for_event(event) == [own]
    assert bob_client.get(_url("rule_change", own.pk)).context["has_change_permission"]
    listed = bob_client.get(_url("rule_changelist")).content.decode()
    assert "Default, customised by 1 organisation" in listed


def test_n2_customise_action_copies_the_selected_defaults(bob_client, organisation):
    defaults = [RuleFactory(organisation=None), RuleFactory(organisation=None)]
    data = {"action": "customise_for_my_organisation", "_selected_action": [r.pk for r in defaults]}
    asked = bob_client.post(_url("rule_changelist"), data)
    assert asked.status_code == 200 and "organisation" in asked.context["form"].fields
    bob_client.post(
        _url("rule_changelist"), {**data, "apply": "yes", "organisation": organisation.pk}
    )
    assert Rule.objects.filter(organisation=organisation, overrides__in=defaults).count() == 2


# N-3 -----------------------------------------------------------------------------------------


def test_n3_template_with_syntax_error_is_refused(bob_client, organisation):
    response = _add_rule(bob_client, _rule_data(organisation, **{"templates-0-body": "{% if %}"}))
    errors = response.context["inline_admin_formsets"][0].formset.errors[0]
    assert "Template syntax error" in errors["body"][0]
    assert not Rule.objects.exists()


def test_n3_unknown_variable_is_refused(bob_client, organisation):
    data = _rule_data(organisation, **{"templates-0-subject": "Hello {{ pilot_name }}"})
    response = _add_rule(bob_client, data)
    errors = response.context["inline_admin_formsets"][0].formset.errors[0]
    assert "Unknown variable {{ pilot_name }}" in errors["subject"][0]
    assert "title" in errors["subject"][0]  # the message lists what is available
    assert not Rule.objects.exists()


def test_n3_unsafe_tag_is_refused(bob_client, organisation):
    data = _rule_data(organisation, **{"templates-0-html": "<p>{% now 'Y' %}</p>"})
    errors = _add_rule(bob_client, data).context["inline_admin_formsets"][0].formset.errors[0]
    assert "not allowed" in errors["html"][0]


def test_n3_each_channel_of_a_rule_needs_a_template(bob_client, organisation):
    response = _add_rule(bob_client, _rule_data(organisation, channels=["email", "sms"]))
    formset = response.context["inline_admin_formsets"][0].formset
    assert "missing: SMS" in str(formset.non_form_errors())
    assert not Rule.objects.exists()


def test_n3_preview_renders_examples(bob_client, organisation):
    rule = RuleFactory(organisation=organisation, channels=["email", "sms"])
    MessageTemplate.objects.filter(rule=rule, channel="email", language="en").update(
        html='<p>Hi {{ recipient_name }}, <b>{{ title }}</b></p>"><script>alert(1)</script>'
    )
    response = bob_client.get(_url("rule_preview", rule.pk))
    page = response.content.decode()
    assert "Rendez-vous : Coupe" in page and "Appointment: Coupe" in page  # both languages
    assert "Hello Bob Martin" in page  # the manager stands for the recipient
    assert 'sandbox=""' in page and "&lt;b&gt;Coupe&lt;/b&gt;" in page  # HTML, sandboxed
    assert "<script>alert" not in page  # a quote in the HTML cannot break out of srcdoc
    sms = [r for r in response.context["results"] if r.channel == "sms"][0]
    assert sms.sms.segments == 1
    assert f"/{rule.pk}/preview/" in bob_client.get(_url("rule_change", rule.pk)).content.decode()


def test_n3_send_me_a_test_emails_the_manager(
    bob_client, bob, organisation, django_capture_on_commit_callbacks
):
    rule = RuleFactory(organisation=organisation, roles=["client"], channels=["email", "sms"])
    with django_capture_on_commit_callbacks(execute=True):
        response = bob_client.post(_url("rule_send_test", rule.pk), follow=True)

    assert [m.to for m in mail.outbox] == [[f"Bob Martin <{bob.email}>"]]
    assert mail.outbox[0].subject == "Rendez-vous : Coupe"  # in Bob's language, example values
    event = Event.objects.get(is_test=True)
    assert (event.actor, event.organisation, event.data) == (
        bob,
        organisation,
        {"rule_id": rule.pk},
    )
    email = Delivery.objects.get(event=event, channel="email")
    assert email.status == Delivery.Status.SENT  # logged like any delivery
    notes = [str(m) for m in response.context["messages"]]
    assert any("sent to you" in note and bob.email in note for note in notes)
    assert any("not sent by SMS" in note for note in notes)  # Bob has no phone


def test_n3_send_me_a_test_as_an_action(
    bob_client, bob, organisation, django_capture_on_commit_callbacks
):
    default = RuleFactory(organisation=None)
    with django_capture_on_commit_callbacks(execute=True):
        bob_client.post(
            _url("rule_changelist"), {"action": "send_me_a_test", "_selected_action": [default.pk]}
        )
    assert len(mail.outbox) == 1
    # A default rule's test is logged in Bob's organisation, where he can see it.
    assert Delivery.objects.get().organisation == organisation


# N-6 -----------------------------------------------------------------------------------------


@pytest.fixture
def log(organisation, other_organisation, appointment_factory):
    """A few deliveries of Bob's organisation, and one of Parc Horizon's."""
    booked = _event(organisation, appointment_factory())
    secret = _event(organisation, code="testapp.secret_code")
    theirs = _event(other_organisation, code="testapp.booked")
    return {
        "sent": _delivery(booked, "alice@example.test", recipient_name="Alice Durand"),
        "failed": _delivery(
            booked, "+33612345678", channel="sms", status="failed", last_error="Invalid number"
        ),
        "suppressed": _delivery(
            secret, "zoe@example.test", status="suppressed", reason=planning.ON_SUPPRESSION_LIST
        ),
        "theirs": _delivery(theirs, "carol@example.test"),
    }


def _listed(client, **params):
    return set(client.get(_url("delivery_changelist"), params).context["cl"].queryset)


def test_p3_manager_sees_only_own_deliveries_and_rules(bob_client, log, other_organisation):
    assert _listed(bob_client) == {log["sent"], log["failed"], log["suppressed"]}
    assert bob_client.get(_url("delivery_change", log["theirs"].pk)).status_code == 302

    own = RuleFactory(organisation=log["sent"].organisation)
    default = RuleFactory(organisation=None)
    theirs = RuleFactory(organisation=other_organisation)
    rules = set(bob_client.get(_url("rule_changelist")).context["cl"].queryset)
    assert rules == {own, default}
    for name in ("rule_change", "rule_preview", "rule_dry_run"):
        assert bob_client.get(_url(name, theirs.pk)).status_code in (302, 404)

    events = set(bob_client.get(_url("event_changelist")).context["cl"].queryset)
    assert log["theirs"].event not in events and log["sent"].event in events
    organisations = bob_client.get(_url("delivery_changelist")).content.decode()
    assert other_organisation.name not in organisations  # not even as a filter choice


def test_n6_delivery_list_filters_and_search(frozen, bob_client, log, organisation):
    # A stopped clock (before `log` is made): run at midnight, the deliveries would be
    # made yesterday and `today` computed today.
    assert _listed(bob_client, channel="sms") == {log["failed"]}
    assert _listed(bob_client, status="suppressed") == {log["suppressed"]}
    assert _listed(bob_client, event_code="testapp.secret_code") == {log["suppressed"]}
    assert _listed(bob_client, organisation__id__exact=organisation.pk) == {
        log["sent"], log["failed"], log["suppressed"],
    }  # fmt: skip
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    tomorrow = today + datetime.timedelta(days=1)
    assert len(_listed(bob_client, created_at__gte=str(today), created_at__lt=str(tomorrow))) == 3
    assert _listed(bob_client, created_at__gte=str(tomorrow)) == set()
    assert _listed(bob_client, q="Alice@Example.test ") == {log["sent"]}  # any case
    assert _listed(bob_client, q="06 12 34 56 78") == {log["failed"]}  # as people type it
    assert _listed(bob_client, q="carol@example.test") == set()


def test_n6_search_matches_a_whole_address_never_a_part(bob_client, log):
    # Part of an address, or a name, would read the whole log at every search.
    assert _listed(bob_client, q="alice@example") == set()
    assert _listed(bob_client, q="Alice") == set()
    assert _listed(bob_client, q="0612") == set()


def test_n6_search_by_an_accounts_email_finds_its_other_channels(bob_client, log, alice):
    sms = _delivery(log["sent"].event, "+33600000001", channel="sms", user=alice)
    assert _listed(bob_client, q=alice.email.upper()) == {log["sent"], sms}


def test_n6_search_by_provider_message_id(bob_client, log):
    Delivery.objects.filter(pk=log["failed"].pk).update(provider_message_id="SM8f2a")
    assert _listed(bob_client, q="SM8f2a") == {log["failed"]}


def test_n6_delivery_list_shows_coloured_status_lights(bob_client, log):
    page = bob_client.get(_url("delivery_changelist")).content.decode()
    assert 'background:#2e7d32"></span>Sent' in page
    assert 'background:#c62828"></span>Failed' in page
    assert 'background:#ef6c00"></span>Suppressed' in page
    assert "address on the suppression list" in page  # the reason, in words


def test_n6_delivery_detail_is_read_only_with_rendered_content(bob_client, log):
    delivery = log["sent"]
    Delivery.objects.filter(pk=delivery.pk).update(
        subject="Rendez-vous : Coupe", body="Bonjour Alice", html="<p>Bonjour <b>Alice</b></p>"
    )
    response = bob_client.get(_url("delivery_change", delivery.pk))
    page = response.content.decode()
    assert "Rendez-vous : Coupe" in page and "Bonjour Alice" in page
    assert 'sandbox=""' in page and "&lt;b&gt;Alice&lt;/b&gt;" in page
    assert 'name="subject"' not in page  # shown, not editable
    assert bob_client.post(_url("delivery_change", delivery.pk), {}).status_code == 403
    assert bob_client.get(_url("delivery_add")).status_code == 403
    failed = bob_client.get(_url("delivery_change", log["failed"].pk)).content.decode()
    assert "Invalid number" in failed


def test_n6_csv_export(bob_client, log):
    Delivery.objects.filter(pk=log["sent"].pk).update(subject="=HYPERLINK(evil)")
    response = bob_client.post(
        _url("delivery_changelist"),
        {"action": "export_csv", "_selected_action": [log["sent"].pk, log["failed"].pk]},
    )
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert {row["Address"] for row in rows} == {"alice@example.test", "+33612345678"}
    sms = next(row for row in rows if row["Channel"] == "sms")
    assert (sms["Status"], sms["Last error"], sms["Event"]) == (
        "failed", "Invalid number", "testapp.booked",
    )  # fmt: skip
    email = next(row for row in rows if row["Channel"] == "email")
    assert email["Subject"] == "'=HYPERLINK(evil)"  # never run as a spreadsheet formula


def test_n6_resend_creates_a_new_delivery(
    bob_client, organisation, alice, appointment_factory, django_capture_on_commit_callbacks
):
    RuleFactory(organisation=organisation, roles=["client"], channels=["email"])
    appointment = appointment_factory()
    with django_capture_on_commit_callbacks(execute=True):
        notifications.emit("testapp.booked", appointment)
    original = Delivery.objects.get()
    mail.outbox.clear()

    data = {"action": "resend", "_selected_action": [original.pk]}
    with django_capture_on_commit_callbacks(execute=True):
        bob_client.post(_url("delivery_changelist"), data)
    with django_capture_on_commit_callbacks(execute=True):
        bob_client.post(_url("delivery_resend", original.pk))

    copies = Delivery.objects.exclude(pk=original.pk).order_by("pk")
    assert [c.dedupe_key for c in copies] == [
        f"{original.dedupe_key}:resend:1",
        f"{original.dedupe_key}:resend:2",
    ]
    assert all(c.status == Delivery.Status.SENT and c.attempts == 1 for c in copies)
    assert all(c.address == alice.email and c.event_id == original.event_id for c in copies)
    assert len(mail.outbox) == 2 and mail.outbox[0].subject == "Rendez-vous : Coupe"
    original.refresh_from_db()
    assert original.status == Delivery.Status.SENT


def test_n6_resend_skips_pending_and_unreachable_deliveries(bob_client, log):
    log["failed"].status = Delivery.Status.SCHEDULED
    log["failed"].save()
    Delivery.objects.filter(pk=log["suppressed"].pk).update(address="")
    data = {"action": "resend", "_selected_action": [log["failed"].pk, log["suppressed"].pk]}
    response = bob_client.post(_url("delivery_changelist"), data, follow=True)
    assert Delivery.objects.count() == 4
    assert "2 messages were not sent again" in response.content.decode()


@pytest.mark.urls(__name__)
def test_n6_history_panel_shows_an_objects_messages_newest_first(
    bob_client, organisation, appointment_factory
):
    appointment, other = appointment_factory(), appointment_factory(title="Other")
    older = _delivery(_event(organisation, appointment), "alice@example.test")
    newer = _delivery(_event(organisation, appointment), "bob@example.test", status="failed")
    _delivery(_event(organisation, other), "elsewhere@example.test")

    url = reverse("history_admin:testapp_appointment_change", args=[appointment.pk])
    response = bob_client.get(url)
    formset = response.context["inline_admin_formsets"][0].formset
    assert [form.instance for form in formset.forms] == [newer, older]
    page = response.content.decode()
    assert "background:#c62828" in page and "Appointment booked" in page
    assert "elsewhere@example.test" not in page
    assert not response.context["inline_admin_formsets"][0].has_add_permission


# Events, preferences, suppressions -------------------------------------------------------


def test_n6_event_admin_is_read_only(bob_client, log):
    event = log["sent"].event
    page = bob_client.get(_url("event_change", event.pk))
    assert page.status_code == 200 and "alice@example.test" in page.content.decode()
    assert bob_client.post(_url("event_change", event.pk), {}).status_code == 403
    assert bob_client.get(_url("event_add")).status_code == 403


def test_n5_manager_sees_and_edits_preferences_in_the_admin(bob_client, alice, carol):
    Preference.objects.create(user=alice, group="appointments", channel="email", enabled=False)
    Preference.objects.create(user=carol, group="appointments", channel="email", enabled=False)
    listed = bob_client.get(reverse("admin:notifications_preference_changelist"))
    assert {p.user for p in listed.context["cl"].queryset} == {alice}

    user_page = bob_client.get(reverse("admin:accounts_user_change", args=[alice.pk]))
    inline = user_page.context["inline_admin_formsets"][1].formset
    assert [form.instance.group for form in inline.forms] == ["appointments"]

    add = reverse("admin:notifications_preference_add")
    refused = bob_client.post(add, {"user": alice.pk, "group": "security", "channel": "sms"})
    assert "mandatory" in str(refused.context["adminform"].form.errors)
    bob_client.post(add, {"user": alice.pk, "group": "appointments", "channel": "sms"})
    assert alice.preferences.get(channel="sms").enabled is False


def test_n7_manager_removes_a_suppression(bob_client, alice, carol):
    own = Suppression.objects.create(channel="email", address=alice.email, reason="bounce")
    theirs = Suppression.objects.create(channel="email", address=carol.email, reason="bounce")
    listed = bob_client.get(reverse("admin:notifications_suppression_changelist"))
    assert set(listed.context["cl"].queryset) == {own}

    delete = reverse("admin:notifications_suppression_delete", args=[own.pk])
    bob_client.post(delete, {"post": "yes"})
    assert not Suppression.objects.filter(pk=own.pk).exists()
    bob_client.post(
        reverse("admin:notifications_suppression_delete", args=[theirs.pk]), {"post": "yes"}
    )
    assert Suppression.objects.filter(pk=theirs.pk).exists()


def test_n7_manager_adds_only_their_peoples_addresses(bob_client, alice, carol):
    add = reverse("admin:notifications_suppression_add")
    refused = bob_client.post(add, {"channel": "email", "address": carol.email, "reason": "manual"})
    assert "address" in refused.context["adminform"].form.errors
    bob_client.post(add, {"channel": "email", "address": alice.email, "reason": "manual"})
    assert Suppression.objects.get().address == alice.email
    alice.phone = "+33612345678"
    alice.save()
    bob_client.post(add, {"channel": "sms", "address": "06 12 34 56 78", "reason": "manual"})
    assert Suppression.objects.get(channel="sms").address == "+33612345678"  # as sends compare


def test_n2_superuser_edits_default_rules(root_client):
    default = RuleFactory(organisation=None)
    page = root_client.get(_url("rule_change", default.pk))
    assert page.context["has_change_permission"]
    assert not page.context["adminform"].form.fields["organisation"].required


def test_p3_occupant_reaches_none_of_it(client, alice):
    client.force_login(alice)
    assert client.get(_url("rule_catalog")).status_code == 302
    assert client.get(_url("delivery_changelist")).status_code == 302


def test_n3_manager_of_another_organisation_cannot_test_or_customise(
    client, organisation, other_organisation
):
    rule = RuleFactory(organisation=organisation)
    manager = member(other_organisation, Role.MANAGER, email="dan@example.test")
    client.force_login(manager)
    assert client.post(_url("rule_send_test", rule.pk)).status_code == 404
    assert client.get(_url("rule_customise", rule.pk)).status_code == 404
    assert not Event.objects.filter(is_test=True).exists()


def test_n3_a_template_nested_hundreds_deep_is_refused_not_a_500(bob_client, organisation):
    deep = "{% if title %}" * 400 + "x" + "{% endif %}" * 400  # the parser recursed: a 500
    response = _add_rule(bob_client, _rule_data(organisation, **{"templates-0-body": deep}))
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.errors[0]
    assert "nested too deeply" in errors["body"][0]
    assert not Rule.objects.exists()


def test_n3_send_me_a_test_of_a_reminder_goes_at_once(
    bob_client, bob, organisation, django_capture_on_commit_callbacks
):
    rule = RuleFactory(organisation=organisation, anchor="start", offset_minutes=-24 * 60)
    with django_capture_on_commit_callbacks(execute=True):
        response = bob_client.post(_url("rule_send_test", rule.pk), follow=True)
    assert response.status_code == 200
    assert [m.to for m in mail.outbox] == [[f"Bob Martin <{bob.email}>"]]
