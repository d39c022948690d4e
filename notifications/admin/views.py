"""Pages the rule admin adds: catalog, event choice, preview, dry run, test, customise."""

from django.conf import settings
from django.contrib import messages
from django.contrib.admin import helpers
from django.db.models import Count
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.scoping import managed_organisations
from notifications import events, grid, previews
from notifications.forms import CustomiseForm
from notifications.models import Channel, Delivery
from notifications.rule_changes import customise_and_take_over

DRY_RUN_EVENTS = 20


def _page(model_admin, request, template, title, **context):
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": title,
        **context,
    }
    return TemplateResponse(request, f"admin/notifications/rule/{template}", context)


def _change_url(rule):
    return reverse("admin:notifications_rule_change", args=[rule.pk])


def catalog_page(model_admin, request):
    """Every event apps declare, with its roles, variables, anchors and conditions (N-1)."""
    counts = dict(
        model_admin.get_queryset(request)
        .order_by()
        .values_list("event_code")
        .annotate(rules=Count("pk"))
    )
    priorities = dict(events.Priority.CHOICES)
    event_types = [
        (event_type, counts.get(event_type.code, 0), priorities.get(event_type.priority))
        for event_type in events.catalog()
    ]
    return _page(
        model_admin,
        request,
        "catalog.html",
        _("Event catalog"),
        event_types=event_types,
        common_variables=sorted(events.COMMON_VARIABLES.items()),
        can_add=model_admin.has_add_permission(request),
    )


def choose_event(model_admin, request):
    return _page(
        model_admin,
        request,
        "choose_event.html",
        _("Add a rule: which event?"),
        event_types=events.catalog(),
    )


def preview(model_admin, request, rule):
    """Each template rendered with the event's example values, in each language (N-3)."""
    return _page(
        model_admin,
        request,
        "preview.html",
        _("Preview of “%(rule)s”") % {"rule": rule},
        original=rule,
        results=previews.preview(rule, request.user),
    )


def dry_run(model_admin, request, rule):
    """Who would get what for a past event, when, rendered — nothing sent, nothing saved."""
    events = previews.dry_run_events(rule, request.user).select_related("organisation")
    run = None
    chosen = request.GET.get("event", "")
    if chosen:
        if not chosen.isdigit():
            raise Http404
        run = previews.dry_run(rule, get_object_or_404(events, pk=chosen))
    return _page(
        model_admin,
        request,
        "dry_run.html",
        _("Dry run of “%(rule)s”") % {"rule": rule},
        original=rule,
        events=events[:DRY_RUN_EVENTS],
        run=run,
    )


def send_test(model_admin, request, rule):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    report_test(request, rule)
    return HttpResponseRedirect(_change_url(rule))


def report_test(request, rule):
    """Send the rule to the manager and tell them where it went (N-3)."""
    deliveries = previews.send_test(rule, request.user)
    # Planned, or already sent when the tasks ran at once (eager): not refused.
    refused = (Delivery.Status.FAILED, Delivery.Status.SUPPRESSED, Delivery.Status.CANCELLED)
    sent = [d for d in deliveries if d.status not in refused]
    if sent:
        where = ", ".join(_where(d) for d in sent)
        message = _("Test of “%(rule)s” sent to you: %(where)s.")
        messages.success(request, message % {"rule": rule, "where": where})
    for delivery in deliveries:
        if delivery not in sent:
            messages.warning(
                request,
                _("Test of “%(rule)s” not sent by %(channel)s: %(reason)s.")
                % {
                    "rule": rule,
                    "channel": delivery.get_channel_display(),
                    "reason": _(delivery.reason),
                },
            )
    if not deliveries:
        messages.warning(request, _("Test of “%(rule)s”: nothing to send.") % {"rule": rule})


def _where(delivery):
    """Where a test went, in words: "by email to bob@…", "in your inbox"."""
    if delivery.channel == Channel.INAPP:
        return _("in your inbox")
    if delivery.channel == Channel.PUSH:  # its address is the user's id, not a device
        return _("on your devices (push notification)")
    if delivery.channel == Channel.TELEGRAM:  # its address is the user's id, not the chat
        return _("on your linked Telegram")
    where = {
        Channel.EMAIL: _("by email to %(address)s"),
        Channel.SMS: _("by SMS to %(address)s"),
        Channel.VOICE: _("by a phone call to %(address)s"),
        Channel.WHATSAPP: _("on WhatsApp to %(address)s"),
    }[delivery.channel]
    return where % {"address": delivery.address}


def customise(model_admin, request, rule):
    """Give one of the manager's organisations its own copy of a default rule (N-3)."""
    if rule.organisation_id is not None:
        messages.info(request, _("This rule already belongs to an organisation: change it here."))
        return HttpResponseRedirect(_change_url(rule))
    form = CustomiseForm(request.POST or None, organisations=managed_organisations(request.user))
    if request.method == "POST" and form.is_valid():
        ((copy, _created),) = _customise(request, [rule], form.cleaned_data["organisation"])
        return HttpResponseRedirect(_change_url(copy))
    return _page(
        model_admin,
        request,
        "customise.html",
        _("Customise “%(rule)s”") % {"rule": rule},
        original=rule,
        rules=[rule],
        form=form,
    )


def customise_selected(model_admin, request, queryset):
    """The admin action: ask for the organisation, then copy each selected default rule."""
    defaults = [rule for rule in queryset if rule.organisation_id is None]
    if not defaults:
        messages.warning(request, _("Only default rules can be customised; yours already are."))
        return None
    form = CustomiseForm(
        request.POST if "apply" in request.POST else None,
        organisations=managed_organisations(request.user),
    )
    if form.is_valid():
        done = _customise(request, defaults, form.cleaned_data["organisation"])
        if len(done) == 1:
            return HttpResponseRedirect(_change_url(done[0][0]))
        return None
    return _page(
        model_admin,
        request,
        "customise.html",
        _("Customise default rules"),
        rules=defaults,
        form=form,
        action_checkbox_name=helpers.ACTION_CHECKBOX_NAME,
        selected=[rule.pk for rule in defaults],
    )


def report_replan(request, replanned):
    """Tell the manager what a rule edit did to the messages it had planned (N-19)."""
    if not replanned.touched:
        return
    messages.info(
        request,
        _(
            "Pending messages planned again: %(added)d new, %(cancelled)d cancelled, "
            "%(kept)d unchanged."
        )
        % {"added": replanned.added, "cancelled": replanned.cancelled, "kept": replanned.kept},
    )


def _customise(request, rules, organisation):
    taken = [customise_and_take_over(rule, organisation) for rule in rules]
    done = [(copy, created) for copy, created, _taken in taken]
    for _copy, _created, replanned in taken:
        report_replan(request, replanned)
    created = [copy for copy, created in done if created]
    if created:
        messages.success(
            request,
            ngettext(
                "%(organisation)s now has its own copy of %(count)d rule; "
                "the default no longer applies to it.",
                "%(organisation)s now has its own copies of %(count)d rules; "
                "the defaults no longer apply to it.",
                len(created),
            )
            % {"organisation": organisation, "count": len(created)},
        )
    if len(created) < len(done):
        messages.info(
            request,
            _("%(organisation)s had already customised some of these rules.")
            % {"organisation": organisation},
        )
    return done


def grid_page(model_admin, request):
    """The Agendize grid (N-2): each event × recipient group × channel, on or off, for one
    organisation; a switch changes that organisation's rules (notifications.grid)."""
    organisations = managed_organisations(request.user).order_by("name")
    chosen = request.POST.get("organisation") or request.GET.get("organisation")
    organisation = organisations.filter(pk=chosen).first() if chosen else organisations.first()
    if chosen and organisation is None:
        raise Http404
    channels = [c for c in Channel if c.value in settings.RELAIS_CHANNELS]
    if request.method == "POST":
        if organisation is None or not model_admin.has_change_permission(request):
            raise Http404
        code, role = request.POST.get("event", ""), request.POST.get("role", "")
        channel = request.POST.get("channel", "")
        try:
            event_type = events.get_event_type(code)
            event_type.role(role)
        except LookupError:
            raise Http404 from None
        if channel not in {c.value for c in channels}:
            raise Http404
        if request.POST.get("on") == "1":
            grid.switch_on(code, role, channel, organisation)
        else:
            grid.switch_off(code, role, channel, organisation)
        messages.success(request, _("%(event)s: changed.") % {"event": event_type.label})
        url = reverse("admin:notifications_rule_grid")
        return HttpResponseRedirect(f"{url}?organisation={organisation.pk}#{code}")
    rows = []
    for event_type in events.catalog():
        on = grid.cells(event_type.code, organisation) if organisation else set()
        rows.append(
            (
                event_type,
                [
                    (role, [(channel, (role.code, channel.value) in on) for channel in channels])
                    for role in event_type.roles
                ],
            )
        )
    return _page(
        model_admin,
        request,
        "grid.html",
        _("Notifications grid"),
        organisations=organisations,
        organisation=organisation,
        channels=channels,
        rows=rows,
        can_change=model_admin.has_change_permission(request),
    )
