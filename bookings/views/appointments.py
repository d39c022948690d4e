"""The public appointment page (phone first) and the client's signed pages: manage, review,
confirm their number (SPEC B-2, B-6, B-7, B-10, B-17; P-2).

No account, no password: the organisation's page books, and each message's signed link
opens the client's own appointment. GET only shows; POST acts.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import BACK_OFFICE_ROLES, Membership, Organisation
from bookings import links, payments
from bookings.availability import BookingRefused
from bookings.forms_appointments import (
    SMS_CONSENT,
    WAITLIST_SMS_CONSENT,
    ClientForm,
    ReviewForm,
    StaffRecapForm,
    WaitlistForm,
)
from bookings.models import (
    Booking,
    BookingPage,
    Participant,
    Resource,
    Service,
    StaffRecap,
    WaitlistOffer,
)
from bookings.services import appointments, clients, waitlists
from bookings.services import bookings as booking_services
from core import ratelimit

DAYS_AHEAD = 60


def _page(slug):
    return get_object_or_404(
        BookingPage.objects.select_related("organisation"), slug=slug, is_open=True
    )


def _day(request, zone):
    today = timezone.localtime(timezone.now(), zone).date()
    day = parse_date(request.GET.get("day") or "") or today
    return min(max(day, today), today + datetime.timedelta(days=DAYS_AHEAD))


def _choice(request, page):
    """The service and staff member chosen so far (404 for another organisation's)."""
    org = page.organisation
    service = agenda = None
    if request.GET.get("service"):
        service = get_object_or_404(
            Service, pk=_int(request.GET["service"]), organisation=org, is_active=True
        )
    staff = request.GET.get("staff")
    if service and staff and staff != "any":
        agenda = get_object_or_404(appointments.agendas_for(service), pk=_int(staff))
    return service, staff, agenda


def _int(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        raise Http404 from None


def _moment(text):
    """An aware datetime from a link or a button (a "+" left unencoded reads as a space)."""
    try:
        moment = parse_datetime((text or "").strip().replace(" ", "+"))
    except ValueError:
        return None
    if moment is None or timezone.is_naive(moment):
        return None
    return moment


def _slots(service, agenda, day):
    if agenda is not None:
        return appointments.slots(service, agenda, day)
    found = set()
    for each in appointments.agendas_for(service):
        found.update(appointments.slots(service, each, day))
    return sorted(found)


@require_http_methods(["GET", "POST"])
def book(request, slug):
    page = _page(slug)
    org = page.organisation
    zone = zoneinfo.ZoneInfo(str(org.time_zone))
    service, staff, agenda = _choice(request, page)
    context = {"page": page, "organisation": org, "service": service, "staff": staff}
    if service is None:
        context["services"] = Service.objects.filter(organisation=org, is_active=True)
        return render(request, "bookings/appointments/book.html", context)
    if not staff:
        context["agendas"] = appointments.agendas_for(service)
        return render(request, "bookings/appointments/book.html", context)
    zone = agenda.zone if agenda else zone
    context["agenda"] = agenda
    start = _moment(request.GET.get("start"))
    if start is None:
        day = _day(request, zone)
        context |= {
            "day": day,
            "slots": [timezone.localtime(s, zone) for s in _slots(service, agenda, day)],
            "full": [timezone.localtime(s, zone) for s in appointments.full_slots(agenda, day)]
            if agenda
            else [],
            "previous_day": day - datetime.timedelta(days=1),
            "next_day": day + datetime.timedelta(days=1),
            "today": timezone.localtime(timezone.now(), zone).date(),
            "zone": zone,
        }
        return render(request, "bookings/appointments/book.html", context)
    context["start"] = timezone.localtime(start, zone)
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return _book(request, page, service, agenda, start, form, context)
    context["form"] = form
    return render(request, "bookings/appointments/book.html", context)


def _book(request, page, service, agenda, start, form, context):
    address = ratelimit.client_address(request)
    key = f"appointments.book:{address or 'unknown'}"
    if ratelimit.is_blocked(key, clients.BOOKING_LIMIT):
        form.add_error(None, _("Too many bookings from here: please try again later."))
        context["form"] = form
        return render(request, "bookings/appointments/book.html", context, status=429)
    ratelimit.record(key, clients.BOOKING_LIMIT)
    data = form.cleaned_data
    ticked = bool(data["sms_consent"] and data["phone"])
    over = ticked and clients.over_sms_limits(
        page.organisation, data["phone"], data["email"], address
    )
    client = {
        "name": data["name"],
        "email": data["email"],
        "phone": data["phone"],
        "language": get_language()[:2],
    }
    try:
        appointment = appointments.book_online(
            service,
            agenda,
            start,
            client,
            sms_text=str(SMS_CONSENT) if ticked else "",
            page=request.path,
            over_limits=over,
        )
    except BookingRefused as refused:
        form.add_error(None, refused.message)
        context["form"] = form
        return render(request, "bookings/appointments/book.html", context, status=409)
    if over:
        messages.info(
            request, _("To receive text messages, confirm your number from the email we sent.")
        )
    return redirect(links.manage_url(appointment.booking))


def _booking_from(purpose, token):
    try:
        booking_id = links.read(purpose, token)
    except signing.BadSignature:
        return None
    return (
        Booking.objects.select_related("appointment__service", "resource__site", "organisation")
        .filter(pk=booking_id)
        .exclude(appointment=None)
        .first()
    )


def _invalid(request):
    return render(request, "bookings/appointments/invalid.html", status=404)


@require_http_methods(["GET", "POST"])
def manage(request, token):
    booking = _booking_from(links.MANAGE, token)
    if booking is None:
        return _invalid(request)
    appointment = booking.appointment
    zone = booking.zone
    changeable = booking_services.is_changeable(booking)
    if request.method == "POST" and changeable:
        try:
            if request.POST.get("action") == "cancel":
                appointments.cancel_appointment(appointment, None)
                messages.success(request, _("Your appointment is cancelled."))
            elif request.POST.get("action") == "pay" and settings.BOOKINGS_FAKE_PAYMENTS:
                _simulate_payment(request, booking)
            elif request.POST.get("action") == "move":
                start = _moment(request.POST.get("start"))
                if start is None:
                    raise BookingRefused(_("Choose one of the times offered."))
                appointments.move_appointment(appointment, None, start)
                messages.success(request, _("Your appointment is moved."))
        except BookingRefused as refused:
            messages.error(request, refused.message)
        return redirect(request.path)
    if request.method == "POST":
        messages.error(request, _("This appointment can no longer be changed."))
        return redirect(request.path)
    context = {"booking": booking, "appointment": appointment, "changeable": changeable}
    context["fake_payments"] = settings.BOOKINGS_FAKE_PAYMENTS
    if changeable:
        day = _day(request, zone)
        starts = appointments.slots(appointment.service, booking.resource, day, exclude=booking.pk)
        context |= {
            "day": day,
            "slots": [timezone.localtime(s, zone) for s in starts if s != booking.start],
            "previous_day": day - datetime.timedelta(days=1),
            "next_day": day + datetime.timedelta(days=1),
            "today": timezone.localtime(timezone.now(), zone).date(),
        }
    return render(request, "bookings/appointments/manage.html", context)


def _simulate_payment(request, booking):
    """Development: the provider's checkout and its signed callback, as bookings' pay page."""
    if payments.simulate(booking).status == 200:
        messages.success(request, _("Payment received: your appointment is confirmed."))
    else:
        messages.error(request, _("The payment was not accepted."))


@require_http_methods(["GET", "POST"])
def review(request, token):
    booking = _booking_from(links.REVIEW, token)
    if booking is None:
        return _invalid(request)
    appointment = booking.appointment
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            appointments.review(
                appointment, form.cleaned_data["stars"], form.cleaned_data["comment"]
            )
            messages.success(request, _("Thank you for your review!"))
            return redirect(request.path)
        except BookingRefused as refused:
            form.add_error(None, refused.message)
    context = {"booking": booking, "appointment": appointment, "form": form}
    return render(request, "bookings/appointments/review.html", context)


@require_http_methods(["GET", "POST"])
def confirm_sms(request, token):
    try:
        participant_id = links.read(links.CONFIRM_SMS, token)
    except signing.BadSignature:
        return _invalid(request)
    participant = get_object_or_404(
        Participant.objects.select_related("booking"), pk=participant_id, is_booker=True
    )
    done = participant.texts_allowed()
    if request.method == "POST" and not done:
        text = f"{SMS_CONSENT} ({_('confirmed from the link in our email')})"
        clients.confirm_sms(participant, text, request.path)
        done = True
    context = {"participant": participant, "booking": participant.booking, "done": done}
    return render(request, "bookings/appointments/confirm_sms.html", context)


@require_http_methods(["GET", "POST"])
def join_waitlist(request, slug):
    """Wait for a full slot (B-12): the client leaves their name and address."""
    page = _page(slug)
    service, staff, agenda = _choice(request, page)
    start = _moment(request.GET.get("start"))
    if service is None or start is None:
        raise Http404
    form = WaitlistForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _join(request, page, service, agenda, start, form.cleaned_data)
        return redirect(f"{request.path.rsplit('attente/', 1)[0]}?service={service.pk}")
    context = {"organisation": page.organisation, "service": service, "agenda": agenda}
    context |= {"start": timezone.localtime(start, agenda.zone if agenda else None), "form": form}
    return render(request, "bookings/appointments/join_waitlist.html", context)


def _join(request, page, service, agenda, start, data):
    ticked = bool(data["sms_consent"] and data["phone"])
    # Against SMS pumping, as on the booking form: over a limit, the offer goes by email only.
    over = ticked and clients.over_sms_limits(
        page.organisation, data["phone"], data["email"], ratelimit.client_address(request)
    )
    client = {
        "name": data["name"],
        "email": data["email"],
        "phone": data["phone"] if ticked and not over else "",
        "language": get_language()[:2],
    }
    waitlists.join(
        service,
        client,
        agenda=agenda,
        wanted_start=start,
        sms_text=str(WAITLIST_SMS_CONSENT) if client["phone"] else "",
        page=request.path,
    )
    messages.success(request, _("You are on the waitlist: we will write if this slot frees."))
    if over:
        messages.info(request, _("Texts are not possible for this number now: we will email."))


@require_http_methods(["POST"])
def wait_for_earlier(request, token):
    """From the manage page: tell me if an earlier similar slot frees (B-12)."""
    booking = _booking_from(links.MANAGE, token)
    if booking is None:
        return _invalid(request)
    client = booking.participants.get(is_booker=True)
    if booking_services.is_changeable(booking):
        waitlists.join(
            booking.appointment.service,
            {
                "name": client.name,
                "email": client.email,
                "phone": client.phone,  # texted the offer only while their consent holds
                "language": client.language,
            },
            agenda=booking.resource,
            earlier_than=booking,
        )
        messages.success(request, _("We will write if an earlier slot frees."))
    return redirect(links.manage_url(booking).removeprefix(settings.SITE_URL))


@require_http_methods(["GET", "POST"])
def claim(request, token):
    try:
        offer_id = links.read(links.CLAIM, token)
    except signing.BadSignature:
        return _invalid(request)
    offer = get_object_or_404(
        WaitlistOffer.objects.select_related("hold__appointment__service", "hold__resource"),
        pk=offer_id,
    )
    problem = None
    if request.method == "POST":
        try:
            booking = waitlists.claim(offer)
        except BookingRefused as refused:
            problem = refused.message
        else:
            messages.success(request, _("The slot is yours: your appointment is booked."))
            return redirect(links.manage_url(booking).removeprefix(settings.SITE_URL))
    context = {"offer": offer, "hold": offer.hold, "problem": problem, "now": timezone.now()}
    return render(
        request, "bookings/appointments/claim.html", context, status=409 if problem else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_recap(request):
    """Staff and managers choose when their daily recap of appointments comes (B-13)."""
    organisations = Organisation.objects.filter(
        Q(resources__staff_member=request.user, resources__kind=Resource.Kind.AGENDA)
        | Q(memberships__user=request.user, memberships__role__in=BACK_OFFICE_ROLES)
    ).distinct()
    organisation = organisations.filter(pk=_int(request.GET.get("organisation") or 0)).first()
    organisation = organisation or organisations.first()
    if organisation is None:
        raise Http404
    recap = StaffRecap.objects.filter(organisation=organisation, user=request.user).first()
    recap = recap or StaffRecap(
        organisation=organisation, user=request.user, send_time=datetime.time(18)
    )
    manages = Membership.objects.filter(
        user=request.user, organisation=organisation, role__in=BACK_OFFICE_ROLES
    ).exists()
    form = StaffRecapForm(request.POST or None, instance=recap, may_see_all=manages)
    if request.method == "POST" and form.is_valid():
        appointments.save_staff_recap(form.save(commit=False))
        messages.success(request, _("Your daily recap is saved."))
        return redirect(f"{request.path}?organisation={organisation.pk}")
    context = {"form": form, "organisation": organisation, "organisations": organisations}
    return render(request, "bookings/appointments/my_recap.html", context)
