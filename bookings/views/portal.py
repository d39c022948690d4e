"""The portal: resources and their availability, my bookings, book, move, cancel, check in,
participants and services, and each booking's messages (SPEC B-1 … B-9, P-1)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import BACK_OFFICE_ROLES, Membership
from bookings import availability, services
from bookings.forms import AddOnForm, BookingForm, GuestForm, SubscriptionForm, TimesForm
from bookings.models import Booking, Subscription
from bookings.signals import BACK_OFFICE, CLIENT
from notifications.models import Delivery


def _bookings(user):
    return services.visible_bookings(user).select_related(
        "resource__site", "resource__organisation", "booker"
    )


def _manages(user, booking):
    return Membership.objects.filter(
        user=user, organisation=booking.organisation_id, role__in=BACK_OFFICE_ROLES
    ).exists()


def _may_change(user, booking):
    return booking.booker_id == user.pk or _manages(user, booking)


def _by(user, booking):
    """The booker acting is the client; a manager acting on someone's booking, the back office."""
    return CLIENT if booking.booker_id == user.pk else BACK_OFFICE


@login_required
def my_bookings(request):
    now = timezone.now()
    mine = (
        _bookings(request.user)
        .filter(
            Q(booker=request.user)
            | Q(participants__user=request.user, participants__removed_at=None)
        )
        .distinct()
    )
    return render(
        request,
        "bookings/list.html",
        {
            "upcoming": mine.filter(end__gte=now).order_by("start"),
            "past": mine.filter(end__lt=now).order_by("-start")[:20],
        },
    )


@login_required
def resources(request):
    return render(
        request, "bookings/resources.html", {"resources": services.visible_resources(request.user)}
    )


def _day(request, resource):
    today = timezone.localtime(timezone.now(), resource.zone).date()
    day = (
        parse_date(request.GET.get("day") or "") if len(request.GET.get("day", "")) == 10 else None
    )
    return day or today


@login_required
def resource(request, pk):
    """A resource's day: its free and held slots, and the form to book it."""
    found = get_object_or_404(services.visible_resources(request.user), pk=pk)
    day = _day(request, found)
    form = BookingForm(request.POST or None, resource=found, initial={"date": day})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            booking = services.book(
                request.user,
                found,
                start=data["start"],
                end=data["end"],
                title=data["title"],
                participants=data["guests"],
                add_ons=[(add_on, 1) for add_on in data["add_ons"]],
            )
        except services.BookingRefused as refused:
            form.add_error(_form_field(refused), refused.message)
        else:
            messages.success(request, _booked_message(booking))
            return redirect(booking)
    return render(
        request,
        "bookings/resource.html",
        {
            "resource": found,
            "day": day,
            "previous_day": day - datetime.timedelta(days=1),
            "next_day": day + datetime.timedelta(days=1),
            "slots": availability.day_plan(found, day),
            "form": form,
        },
    )


def _form_field(refused):
    return {"start": "start_time", "end": "end_time"}.get(refused.field) if refused.field else None


def _booked_message(booking):
    if booking.status == Booking.Status.PENDING_APPROVAL:
        return _("Your request is sent: it awaits approval.")
    if booking.status == Booking.Status.AWAITING_PAYMENT:
        return _("Your booking is recorded: it will be confirmed once paid.")
    return _("Your booking is confirmed.")


@login_required
def detail(request, pk):
    # Someone else's booking is a 404, not a 403: its existence is nobody's business.
    booking = get_object_or_404(_bookings(request.user).distinct(), pk=pk)
    may_change = _may_change(request.user, booking) and services.is_changeable(booking)
    now = timezone.now()
    return render(
        request,
        "bookings/detail.html",
        {
            "booking": booking,
            "participants": booking.participants.select_related("user").order_by(
                "removed_at", "-is_booker", "name"
            ),
            "add_ons": booking.add_ons.select_related("add_on"),
            "may_change": may_change,
            "move_form": TimesForm(
                resource=booking.resource, initial=TimesForm.initial_for(booking)
            ),
            "guest_form": GuestForm(organisation=booking.organisation),
            "add_on_form": AddOnForm(resource=booking.resource),
            "can_check_in": booking.status == Booking.Status.CONFIRMED
            and booking.check_in_opens <= now <= booking.check_in_closes
            and _may_change(request.user, booking),
            "timeline": _timeline(request.user, booking),
        },
    )


def _timeline(user, booking):
    """The booking's messages: to this person, or every one for its managers."""
    deliveries = Delivery.objects.for_target(booking).select_related("event")
    if not _manages(user, booking):
        deliveries = deliveries.filter(user=user)
    return deliveries.order_by("send_at", "pk")[:100]


def _changeable(request, pk):
    booking = get_object_or_404(_bookings(request.user).distinct(), pk=pk)
    if not _may_change(request.user, booking):
        raise Http404
    return booking


def _refused(request, booking, refused):
    messages.error(request, refused.message)
    return redirect(booking)


@login_required
@require_POST
def move(request, pk):
    booking = _changeable(request, pk)
    form = TimesForm(request.POST, resource=booking.resource)
    if not form.is_valid():
        errors = [e for field in form.errors.values() for e in field]
        messages.error(request, " ".join(errors))
        return redirect(booking)
    try:
        services.move(
            booking,
            request.user,
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            by=_by(request.user, booking),
        )
    except services.BookingRefused as refused:
        return _refused(request, booking, refused)
    messages.success(request, _("The booking is moved; everyone taking part is told."))
    return redirect(booking)


@login_required
@require_POST
def cancel(request, pk):
    booking = _changeable(request, pk)
    if services.cancel(booking, request.user, by=_by(request.user, booking)):
        messages.success(request, _("The booking is cancelled; everyone taking part is told."))
    return redirect(booking)


@login_required
@require_POST
def check_in(request, pk):
    booking = _changeable(request, pk)
    try:
        services.check_in(booking, request.user)
    except services.BookingRefused as refused:
        return _refused(request, booking, refused)
    messages.success(request, _("You are checked in."))
    return redirect(booking)


@login_required
@require_POST
def add_participants(request, pk):
    booking = _changeable(request, pk)
    form = GuestForm(request.POST, organisation=booking.organisation)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("guests", [])))
        return redirect(booking)
    try:
        for fields in form.cleaned_data["guests"]:
            services.add_participant(booking, request.user, **fields)
    except services.BookingRefused as refused:
        return _refused(request, booking, refused)
    messages.success(request, _("The participants are invited."))
    return redirect(booking)


@login_required
@require_POST
def remove_participant(request, pk, participant_pk):
    booking = _changeable(request, pk)
    participant = get_object_or_404(booking.participants, pk=participant_pk, removed_at=None)
    try:
        services.remove_participant(participant, request.user)
    except services.BookingRefused as refused:
        return _refused(request, booking, refused)
    messages.success(request, _("%(name)s no longer takes part.") % {"name": participant})
    return redirect(booking)


@login_required
@require_POST
def add_add_ons(request, pk):
    booking = _changeable(request, pk)
    form = AddOnForm(request.POST, resource=booking.resource)
    if not form.is_valid():
        messages.error(request, _("Choose at least one service."))
        return redirect(booking)
    try:
        services.add_add_ons(booking, request.user, [(a, 1) for a in form.cleaned_data["add_ons"]])
    except services.BookingRefused as refused:
        return _refused(request, booking, refused)
    messages.success(request, _("The services are added; the responsible manager is told."))
    return redirect(booking)


@login_required
def subscriptions(request):
    """Hear of maintenance (anyone) and of every booking (managers, B-15), per organisation."""
    organisation = (
        Membership.objects.filter(user=request.user).select_related("organisation").first()
    )
    if organisation is None:
        raise Http404
    organisation = organisation.organisation
    is_manager = _manages_organisation(request.user, organisation)
    current = {
        s.topic: s
        for s in Subscription.objects.filter(user=request.user, organisation=organisation)
    }
    every = current.get(Subscription.Topic.EVERY_BOOKING)
    form = SubscriptionForm(
        request.POST or None,
        initial={
            "maintenance": Subscription.Topic.MAINTENANCE in current,
            "every_booking": every.delivery if every else "",
            "only_supervised": every.only_supervised if every else False,
        },
    )
    if request.method == "POST" and form.is_valid():
        _save_subscriptions(request.user, organisation, form.cleaned_data, is_manager)
        messages.success(request, _("Your choices are saved."))
        return redirect("bookings:subscriptions")
    return render(
        request,
        "bookings/subscriptions.html",
        {"form": form, "is_manager": is_manager, "organisation": organisation},
    )


def _manages_organisation(user, organisation):
    return Membership.objects.filter(
        user=user, organisation=organisation, role__in=BACK_OFFICE_ROLES
    ).exists()


def _save_subscriptions(user, organisation, data, is_manager):
    topic = Subscription.Topic
    if data["maintenance"]:
        services.subscribe(user, organisation, topic.MAINTENANCE)
    else:
        services.unsubscribe(user, organisation, topic.MAINTENANCE)
    if is_manager and data["every_booking"]:
        services.subscribe(
            user,
            organisation,
            topic.EVERY_BOOKING,
            only_supervised=data["only_supervised"],
            delivery=data["every_booking"],
        )
    else:
        services.unsubscribe(user, organisation, topic.EVERY_BOOKING)
