"""Reception in the admin: today's visits, check in and out, each visit's messages
(SPEC V-1 … V-5, N-6, P-3)."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from notifications.models import Delivery
from tests.admin_forms import change_form_data
from tests.factories import OrganisationFactory, SiteFactory, member
from tests.visitors.conftest import HOUR, JOHN, deliveries, emails_to, event_of, ics_of
from visitors import services
from visitors.models import Visit, Visitor

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client, reception):
    client.force_login(reception)
    return client


@pytest.fixture
def today_and_later(plan_visit):
    """Claire comes this morning; John in three days."""
    return plan_visit(ahead=2 * HOUR), plan_visit(ahead=72 * HOUR, visitors=[JOHN])


def change_url(visit):
    return reverse("admin:visitors_visit_change", args=[visit.pk])


def admin_times(visit, **changes):
    """The admin's split date and time inputs, in Paris time, as the page shows them."""
    start, end = timezone.localtime(visit.start), timezone.localtime(visit.end)
    return {
        "start_0": start.strftime("%d/%m/%Y"),
        "start_1": start.strftime("%H:%M:%S"),
        "end_0": end.strftime("%d/%m/%Y"),
        "end_1": end.strftime("%H:%M:%S"),
        **changes,
    }


def test_v5_reception_sees_todays_visitors_first(desk, today_and_later):
    today, later = today_and_later
    listing = desk.get(reverse("admin:visitors_visitor_changelist"))
    assert [v.name for v in listing.context["cl"].queryset] == ["Claire Petit"]
    assert "Check in" in listing.content.decode() or "Enregistrer" in listing.content.decode()
    upcoming = desk.get(reverse("admin:visitors_visitor_changelist"), {"day": "upcoming"})
    assert {v.name for v in upcoming.context["cl"].queryset} == {"Claire Petit", "John Smith"}
    visits = desk.get(reverse("admin:visitors_visit_changelist"))
    assert list(visits.context["cl"].queryset) == [today]


def test_v5_reception_checks_a_visitor_in_and_the_hosts_hear_at_once(
    desk, today_and_later, alice, chloe, reception, on_commit
):
    claire = today_and_later[0].visitors.get()
    listing_url = reverse("admin:visitors_visitor_changelist")
    with on_commit():
        response = desk.post(
            reverse("admin:visitors_visitor_check_in", args=[claire.pk]),
            HTTP_REFERER="http://testserver" + listing_url,
        )
    assert response.url == "http://testserver" + listing_url
    claire.refresh_from_db()
    assert claire.check_in_source == Visitor.Source.RECEPTION
    told = deliveries("visits.checked_in", status=Delivery.Status.SENT, channel="email")
    assert {d.user for d in told} == {alice, chloe}
    assert {d.event.actor for d in told} == {reception}
    with on_commit():
        desk.post(reverse("admin:visitors_visitor_check_out", args=[claire.pk]))
    claire.refresh_from_db()
    assert claire.checked_out_at is not None


def test_v5_reception_checks_several_in_and_out_with_the_list_actions(desk, plan_visit, on_commit):
    visit = plan_visit(ahead=HOUR, visitors=[JOHN, {"name": "Marc", "email": "m@a.test"}])
    url = reverse("admin:visitors_visitor_changelist")
    selected = [str(pk) for pk in visit.visitors.values_list("pk", flat=True)]
    with on_commit():
        desk.post(url, {"action": "check_in_selected", "_selected_action": selected})
    assert visit.visitors.filter(check_in_source="reception").count() == 2
    assert deliveries("visits.checked_in").values("event").distinct().count() == 2
    desk.post(url, {"action": "check_out_selected", "_selected_action": selected})
    assert not visit.visitors.filter(checked_out_at=None).exists()


def test_n6_visit_page_shows_the_messages_sent_about_it(desk, today_and_later):
    visit = today_and_later[0]
    services.check_in(visit.visitors.get(), Visitor.Source.RECEPTION)
    page = desk.get(change_url(visit))
    history = next(
        inline
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.model is Delivery
    )
    shown = {form.instance.pk for form in history.formset.forms}
    assert shown == set(Delivery.objects.for_target(visit).values_list("pk", flat=True))
    assert {d.event.code for d in Delivery.objects.filter(pk__in=shown)} >= {"visits.invited"}
    # And the visitor's row offers to check them out.
    assert "check-out/" in page.content.decode()


def test_v1_manager_creates_a_visit_with_its_visitors_in_the_admin(
    desk, alice, site, frozen, on_commit
):
    page = desk.get(reverse("admin:visitors_visit_add"))
    data = change_form_data(
        page,
        purpose="Audit chaufferie",
        organisation=site.organisation_id,
        site=site.pk,
        start_0="03/12/2026",
        start_1="10:00:00",
        end_0="03/12/2026",
        end_1="11:00:00",
        host=alice.pk,
        **{
            "visitors-TOTAL_FORMS": 1,
            "visitors-0-name": "Claire Petit",
            "visitors-0-email": "claire@atlas.test",
            "visitors-0-language": "fr",
        },
    )
    with on_commit():
        response = desk.post(reverse("admin:visitors_visit_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    visit = Visit.objects.get()
    assert (visit.host, visit.visitors.get().name) == (alice, "Claire Petit")
    assert [m.subject for m in mail.outbox] == [
        "Invitation\u00a0: Audit chaufferie le 3 décembre 2026"
    ]


def test_v2_moving_a_visit_in_the_admin_updates_the_visitors_calendar(
    desk, visit, frozen, on_commit
):
    page = desk.get(change_url(visit))
    mail.outbox.clear()
    with on_commit():
        response = desk.post(
            change_url(visit),
            change_form_data(page, **admin_times(visit, start_1="15:00:00", end_1="16:00:00")),
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    visit.refresh_from_db()
    assert visit.sequence == 1
    [update] = mail.outbox
    assert update.subject.startswith("Visite modifiée")
    assert event_of(ics_of(update)[1])["SEQUENCE"] == 1
    reminder = deliveries("visits.invited", rule__offset_minutes=-1440, status="scheduled").get()
    assert reminder.send_at == visit.start - 24 * HOUR


def test_v4_a_visitor_deleted_in_the_admin_is_withdrawn_and_told(desk, visit, on_commit):
    claire = visit.visitors.get()
    page = desk.get(change_url(visit))
    mail.outbox.clear()
    with on_commit():
        desk.post(
            change_url(visit),
            change_form_data(page, **admin_times(visit), **{"visitors-0-DELETE": "on"}),
        )
    claire.refresh_from_db()
    assert claire.removed_at is not None  # kept for the record
    assert [ics_of(m)[0] for m in emails_to(claire.email)] == ["CANCEL"]


def test_v4_the_cancel_action_tells_every_visitor(desk, visit, on_commit):
    mail.outbox.clear()
    with on_commit():
        desk.post(
            reverse("admin:visitors_visit_changelist") + "?day=all",
            {"action": "cancel_visits", "_selected_action": [visit.pk]},
        )
    visit.refresh_from_db()
    assert visit.status == Visit.Status.CANCELLED
    assert [ics_of(m)[0] for m in mail.outbox] == ["CANCEL"]


def test_p3_reception_of_another_organisation_sees_and_checks_in_nobody(client, today_and_later):
    elsewhere = OrganisationFactory(name="Ailleurs")
    SiteFactory(organisation=elsewhere)
    client.force_login(member(elsewhere, Role.MANAGER))
    claire = today_and_later[0].visitors.get()
    listing = client.get(reverse("admin:visitors_visitor_changelist"), {"day": "all"})
    assert list(listing.context["cl"].queryset) == []
    visits = client.get(reverse("admin:visitors_visit_changelist"), {"day": "all"})
    assert list(visits.context["cl"].queryset) == []
    response = client.post(reverse("admin:visitors_visitor_check_in", args=[claire.pk]))
    assert response.status_code == 404
    claire.refresh_from_db()
    assert claire.checked_in_at is None


def test_n12_reception_writes_to_a_visitor_from_the_visit_page(desk, visit, on_commit):
    claire = visit.visitors.get()
    url = reverse("admin:visitors_visit_message", args=[visit.pk])
    page = desk.get(url)
    choices = dict(page.context["form"].fields["to"].choices)
    assert "0:email" in choices and "Claire Petit" in choices["0:email"]
    mail.outbox.clear()
    with on_commit():
        desk.post(url, {"to": "0:email", "subject": "Parking", "body": "Place 12 au sous-sol."})
    [written] = mail.outbox
    assert (written.to, written.subject) == (["Claire Petit <claire@atlas.test>"], "Parking")
    logged = Delivery.objects.for_target(visit).get(event__code="notifications.manual")
    assert logged.recipient_key == f"visitors.visitor:{claire.pk}"


def test_c6_n12_a_visitor_who_ticked_whatsapp_gets_the_chat_link_from_the_visit(desk, visit):
    from notifications.consent.models import ConsentRecord

    claire = visit.visitors.get()
    url = reverse("admin:visitors_visit_message", args=[visit.pk])
    channels = {channel for _person, channel in desk.get(url).context["form"].options.values()}
    assert "whatsapp" not in channels  # no tick yet
    change = reverse("admin:visitors_visitor_change", args=[claire.pk])
    data = change_form_data(desk.get(change), phone="+33611223344", accepts_whatsapp=True)
    assert desk.post(change, data).status_code == 302
    record = ConsentRecord.objects.get(channel="whatsapp")
    assert (record.address, record.method, record.organisation) == (
        "+33611223344", "admin", visit.organisation,
    )  # fmt: skip
    channels = {channel for _person, channel in desk.get(url).context["form"].options.values()}
    assert "whatsapp" in channels
    assert desk.get(change).context["adminform"].form.initial["accepts_whatsapp"] is True
