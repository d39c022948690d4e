"""Rules and their templates in the admin (SPEC N-2, N-3).

Default rules (no organisation) are shared by every organisation: managers
see them but change them only through "customise for my organisation",
which gives their organisation its own copy.
"""

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

import notifications.admin.views as rule_views
from accounts.scoping import (
    OrganisationScopedAdmin,
    ScopedRelatedFieldListFilter,
    is_back_office_user,
    managed_organisations,
)
from notifications.admin.common import EventCodeFilter, can_edit_rule
from notifications.events import UnknownEvent, event_label
from notifications.forms import MessageTemplateForm, MessageTemplateFormSet, RuleForm
from notifications.models import Channel, MessageTemplate, Rule
from notifications.rule_changes import REPLANNING_FIELDS, replan_rule
from notifications.timing import describe_timing

EDIT_FIELDSETS = [
    (None, {"fields": ["name", "event_code", "organisation", "enabled", "priority"]}),
    (_("Who, and how"), {"fields": ["roles", "channels", "fallback_channel", "sender_mode"]}),
    (
        _("When"),
        {
            "fields": [
                ("timing_amount", "timing_unit", "timing_direction", "anchor"),
                "conditions",
            ],
            "description": _(
                "For example: send 24 hours before Start. “At once” sends when the event happens."
            ),
        },
    ),
    (
        _("Quiet hours and caps"),
        {
            "fields": [
                ("send_window_start", "send_window_end"),
                "send_window_channels",
                "daily_cap",
            ],
            "classes": ["collapse"],
        },
    ),
]
READ_FIELDSETS = [
    (None, {"fields": ["name", "event", "scope", "enabled", "priority"]}),
    (_("Who, and how"), {"fields": ["recipients", "channel_list", "fallback_channel"]}),
    (_("When"), {"fields": ["timing", "condition_list"]}),
    (
        _("Quiet hours and caps"),
        {"fields": ["send_window_start", "send_window_end", "window_channels", "daily_cap"]},
    ),
]


def _labels(choices, codes):
    known = dict(choices)
    return ", ".join(str(known.get(code, code)) for code in codes) or "—"


class MessageTemplateInline(admin.StackedInline):
    model = MessageTemplate
    form = MessageTemplateForm
    formset = MessageTemplateFormSet
    fields = ["channel", "language", "subject", "body", "html"]

    def get_extra(self, request, obj=None, **kwargs):
        return 0 if obj else 1

    def has_view_permission(self, request, obj=None):
        return is_back_office_user(request.user)

    def has_add_permission(self, request, obj):
        return self._may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def _may_edit(self, request, rule):
        # The parent admin has already scoped the rule; here only "default or own" matters.
        return is_back_office_user(request.user) and can_edit_rule(request.user, rule)


@admin.register(Rule)
class RuleAdmin(OrganisationScopedAdmin):
    form = RuleForm
    inlines = [MessageTemplateInline]
    list_display = ["name", "event", "scope", "channel_list", "timing", "enabled", "priority"]
    list_filter = [
        EventCodeFilter,
        "enabled",
        ("organisation", ScopedRelatedFieldListFilter),
        "priority",
    ]
    list_select_related = ["organisation"]
    search_fields = ["name", "event_code"]
    actions = ["send_me_a_test", "customise_for_my_organisation"]

    def get_queryset(self, request):
        """The rules of the user's organisations, and the defaults every organisation shares."""
        own = super().get_queryset(request)
        rules = own | self.model._default_manager.filter(organisation=None)
        # How many of the user's organisations replaced each default with their own copy.
        copies = (
            Rule.objects.filter(
                overrides=OuterRef("pk"), organisation__in=managed_organisations(request.user)
            )
            .order_by()
            .values("overrides")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return rules.annotate(copies=Coalesce(Subquery(copies), 0))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and can_edit_rule(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and can_edit_rule(request.user, obj)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.global_rules_allowed = request.user.is_superuser
        return form

    def get_fieldsets(self, request, obj=None):
        if not self.has_change_permission(request, obj):
            return READ_FIELDSETS
        if obj is not None and obj.overrides_id:
            first = (None, {"fields": [*EDIT_FIELDSETS[0][1]["fields"], "overrides"]})
            return [first, *EDIT_FIELDSETS[1:]]
        return EDIT_FIELDSETS

    def get_readonly_fields(self, request, obj=None):
        if not self.has_change_permission(request, obj):
            return flatten_fieldsets(READ_FIELDSETS)
        return ["overrides"] if obj is not None and obj.overrides_id else []

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        organisations = list(self._scoped_choices(Rule._meta.get_field("organisation"), request))
        if len(organisations) == 1 and not request.user.is_superuser:
            initial.setdefault("organisation", organisations[0].pk)
        return initial

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change and REPLANNING_FIELDS & set(form.changed_data):
            rule_views.report_replan(request, replan_rule(form.instance))

    def add_view(self, request, form_url="", extra_context=None):
        # Roles, anchors and conditions depend on the event: choose it first.
        if request.method == "GET" and not request.GET.get("event_code"):
            return rule_views.choose_event(self, request)
        return super().add_view(request, form_url, extra_context)

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        own = [
            path("catalog/", self._view(rule_views.catalog_page), name=f"{info}_catalog"),
            path("grid/", self._view(rule_views.grid_page), name=f"{info}_grid"),
        ]
        for suffix, view in [
            ("preview", rule_views.preview),
            ("dry_run", rule_views.dry_run),
            ("send_test", rule_views.send_test),
            ("customise", rule_views.customise),
        ]:
            route = f"<path:object_id>/{suffix.replace('_', '-')}/"
            own.append(path(route, self._rule_view(view), name=f"{info}_{suffix}"))
        return own + super().get_urls()

    def _view(self, view):
        return self.admin_site.admin_view(lambda request: view(self, request))

    def _rule_view(self, view):
        def with_rule(request, object_id):
            rule = self.get_object(request, unquote(object_id))
            if rule is None:
                raise Http404
            if not self.has_view_permission(request, rule):
                raise PermissionDenied
            return view(self, request, rule)

        return self.admin_site.admin_view(with_rule)

    @admin.action(description=_("Send me a test"))
    def send_me_a_test(self, request, queryset):
        for rule in queryset:
            rule_views.report_test(request, rule)

    @admin.action(description=_("Customise for my organisation"))
    def customise_for_my_organisation(self, request, queryset):
        return rule_views.customise_selected(self, request, queryset)

    @admin.display(description=_("event"), ordering="event_code")
    def event(self, rule):
        return event_label(rule.event_code)

    @admin.display(description=_("organisation"), ordering="organisation__name")
    def scope(self, rule):
        if rule.organisation:
            return rule.organisation
        copies = getattr(rule, "copies", 0)
        if not copies:
            return _("Default (every organisation)")
        return ngettext(
            "Default, customised by %(count)d organisation",
            "Default, customised by %(count)d organisations",
            copies,
        ) % {"count": copies}

    @admin.display(description=_("channels"))
    def channel_list(self, rule):
        return _labels(Channel.choices, rule.channels)

    @admin.display(description=_("timing"))
    def timing(self, rule):
        return describe_timing(rule)

    @admin.display(description=_("recipients"))
    def recipients(self, rule):
        return _labels(self._event_choices(rule, "roles"), rule.roles)

    @admin.display(description=_("conditions"))
    def condition_list(self, rule):
        return _labels(self._event_choices(rule, "conditions"), rule.conditions)

    @admin.display(description=_("window applies to"))
    def window_channels(self, rule):
        return _labels(Channel.choices, rule.send_window_channels)

    def _event_choices(self, rule, kind):
        try:
            return [(item.code, item.label) for item in getattr(rule.event_type, kind)]
        except UnknownEvent:
            return []
