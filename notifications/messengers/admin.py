"""Integrations in the admin (SPEC C-6; RemOnline's Integrations page), linked Telegram
accounts and approved WhatsApp templates; the person's accepted channels (N-12).

Secrets are typed, encrypted, and never shown back: the form says only whether one is set.
Saving a Telegram token asks Telegram who the bot is (getMe: the token works) and points
its webhook here (setWebhook, with the secret header the webhook checks).
"""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scoping import OrganisationScopedAdmin
from notifications.messengers import integrations, telegram_api
from notifications.messengers.models import Integration, TelegramLink, WhatsAppTemplate

KEEP = gettext_lazy("Set: leave empty to keep it, tick “remove” to take it away.")
UNSET = gettext_lazy("Not set.")


class IntegrationForm(forms.ModelForm):
    telegram_token = forms.CharField(
        label=gettext_lazy("Telegram bot token"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    remove_telegram = forms.BooleanField(label=gettext_lazy("Remove the bot"), required=False)
    twilio_token = forms.CharField(
        label=gettext_lazy("Twilio auth token"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )

    class Meta:
        model = Integration
        fields = ["organisation", "twilio_account_sid", "sms_from", "voice_from", "whatsapp_from"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        self.fields["telegram_token"].help_text = (
            KEEP if instance.telegram_bot_token_encrypted else UNSET
        )
        self.fields["twilio_token"].help_text = (
            KEEP if instance.twilio_auth_token_encrypted else UNSET
        )

    def clean(self):
        cleaned = super().clean()
        token = (cleaned.get("telegram_token") or "").strip()
        if token and not cleaned.get("remove_telegram"):
            try:
                cleaned["telegram_bot"] = telegram_api.get_me(token)
            except telegram_api.BotApiError as error:
                self.add_error(
                    "telegram_token",
                    _("Telegram refused this token (%(error)s).") % {"error": error.description},
                )
        sid = cleaned.get("twilio_account_sid") or ""
        if sid and not sid.startswith("AC"):
            self.add_error("twilio_account_sid", _("A Twilio account SID starts with “AC”."))
        return cleaned

    def save(self, commit=True):
        integration = super().save(commit=False)
        data = self.cleaned_data
        if data.get("remove_telegram"):
            integration.telegram_bot_token, integration.telegram_bot_username = "", ""
        elif data.get("telegram_bot"):
            integration.telegram_bot_token = data["telegram_token"].strip()
            integration.telegram_bot_username = data["telegram_bot"].get("username", "")
        if data.get("twilio_token"):
            integration.twilio_auth_token = data["twilio_token"].strip()
        if commit:
            integration.save()
        return integration


def point_webhook(integration):
    """Ask Telegram to post the organisation's bot updates to our webhook."""
    bot = integrations.telegram_bot(integration.organisation)
    if bot is None or bot.organisation_id != integration.organisation_id:
        return
    url = settings.SITE_URL + reverse("notifications:telegram_webhook", args=[bot.webhook_key])
    telegram_api.set_webhook(bot.token, url, bot.webhook_secret)


@admin.register(Integration)
class IntegrationAdmin(OrganisationScopedAdmin):
    form = IntegrationForm
    manager_actions = ("view", "add", "change")
    list_display = ["organisation", "telegram", "twilio", "whatsapp_from"]
    fieldsets = [
        (None, {"fields": ["organisation"]}),
        ("Telegram", {"fields": ["telegram_token", "remove_telegram", "telegram_bot_username"]}),
        (
            gettext_lazy("SMS, voice and WhatsApp (Twilio)"),
            {
                "fields": [
                    "twilio_account_sid",
                    "twilio_token",
                    "sms_from",
                    "voice_from",
                    "whatsapp_from",
                ],
                "description": gettext_lazy("Empty: the platform's account and senders are used."),
            },
        ),
    ]
    readonly_fields = ["telegram_bot_username"]

    @admin.display(description="Telegram")
    def telegram(self, integration):
        username = integration.telegram_bot_username
        return f"@{username}" if username else "—"

    @admin.display(description="Twilio", boolean=True)
    def twilio(self, integration):
        return bool(integration.twilio_account_sid and integration.twilio_auth_token_encrypted)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.cleaned_data.get("telegram_bot"):
            try:
                point_webhook(obj)
            except telegram_api.BotApiError as error:
                self.message_user(
                    request,
                    _("The bot is saved, but Telegram refused its webhook: %(error)s")
                    % {"error": error.description},
                    level="warning",
                )


@admin.register(TelegramLink)
class TelegramLinkAdmin(OrganisationScopedAdmin):
    """Linked Telegram accounts: made by their owner's /start, ended by them or Telegram."""

    organisation_path = "user__memberships__organisation"
    manager_actions = ("view",)
    list_display = ["user", "username", "organisation", "active", "deactivated_reason", "linked_at"]
    list_filter = ["active"]
    search_fields = ["user__email", "user__display_name", "username"]
    readonly_fields = [
        "user",
        "organisation",
        "chat_id",
        "username",
        "active",
        "deactivated_reason",
        "linked_at",
    ]

    def get_queryset(self, request):
        from django.db.models import Q

        from accounts.scoping import managed_organisations

        links = super().get_queryset(request).distinct()
        if request.user.is_superuser:
            return links
        # Their people's chats with the platform's bot or their own, not another's bot.
        own = managed_organisations(request.user)
        return links.filter(Q(organisation__isnull=True) | Q(organisation__in=own))


@admin.register(WhatsAppTemplate)
class WhatsAppTemplateAdmin(OrganisationScopedAdmin):
    """The rules' WhatsApp templates Meta approved: outside 24 hours, only these may go."""

    organisation_path = "template__rule__organisation"
    list_display = ["template", "content_sid", "variables"]
    raw_id_fields = ["template"]


TICKABLE = ["email", "sms", "whatsapp", "viber"]
MESSENGER_TICKS = ("whatsapp", "viber")


class MessengerTicksForm(forms.ModelForm):
    """A plain contact's messenger ticks (a shop's client, a visitor; SPEC C-6, N-12): kept
    in the consent ledger, not on the row, as every messenger's consent is. A subclass
    says whose organisation the contact belongs to (`organisation_of`)."""

    accepts_whatsapp = forms.BooleanField(label=gettext_lazy("accepts WhatsApp"), required=False)
    accepts_viber = forms.BooleanField(label=gettext_lazy("accepts Viber"), required=False)

    def organisation_of(self, contact):
        raise NotImplementedError

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from notifications.messengers.ticks import is_ticked

        contact = self.instance
        if contact.pk:
            for channel in MESSENGER_TICKS:
                self.initial[f"accepts_{channel}"] = is_ticked(
                    self.organisation_of(contact), channel, str(contact.phone or "")
                )

    def save_ticks(self, request, user=None):
        """The ticks changed (or the number they go with), through the ledger, by whom."""
        from notifications.consent.models import ConsentRecord
        from notifications.messengers.ticks import set_tick

        contact = self.instance
        phone = str(contact.phone or "")
        for channel in MESSENGER_TICKS:
            name = f"accepts_{channel}"
            if phone and (name in self.changed_data or "phone" in self.changed_data):
                set_tick(
                    self.organisation_of(contact),
                    channel,
                    phone,
                    self.cleaned_data[name],
                    method=ConsentRecord.Method.ADMIN,
                    user=user,
                    admin_user=request.user,
                    page=request.path,
                )


class TicksForm(forms.Form):
    """The channels a person accepts messages on, in one organisation (RemOnline's ticks)."""

    def __init__(self, *args, person, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        from notifications.channels.kinds import Channel
        from notifications.messengers.ticks import is_ticked

        self.person, self.rows = person, []
        for organisation in organisations:
            for channel in TICKABLE:
                address = person.email if channel == "email" else str(person.phone or "")
                name = f"tick_{organisation.pk}_{channel}"
                self.fields[name] = forms.BooleanField(
                    label=f"{organisation} · {Channel(channel).label}"
                    + (f" ({address})" if address else ""),
                    required=False,
                    disabled=not address,
                    initial=is_ticked(organisation, channel, address),
                )
                self.rows.append((name, organisation, channel, address))

    def save(self, request):
        """Each changed tick through the ledger, with the manager who changed it."""
        from notifications.consent.models import ConsentRecord
        from notifications.messengers.ticks import set_tick

        changed = 0
        for name, organisation, channel, address in self.rows:
            if name in self.changed_data and address:
                set_tick(
                    organisation,
                    channel,
                    address,
                    self.cleaned_data[name],
                    method=ConsentRecord.Method.ADMIN,
                    user=self.person,
                    admin_user=request.user,
                    page=request.path,
                )
                changed += 1
        return changed


def ticks_view(model_admin, request, object_id):
    """The person's accepted channels, in the organisations the manager manages."""
    from django.contrib.admin.utils import unquote
    from django.core.exceptions import PermissionDenied
    from django.http import Http404, HttpResponseRedirect
    from django.template.response import TemplateResponse

    from accounts.scoping import managed_organisations, may_change_person

    person = model_admin.get_object(request, unquote(object_id))
    if person is None:
        raise Http404
    if not may_change_person(request.user, person):
        raise PermissionDenied
    organisations = managed_organisations(request.user).filter(memberships__user=person)
    data = request.POST if request.method == "POST" else None  # every box unticked is a POST too
    form = TicksForm(data, person=person, organisations=organisations.distinct())
    if request.method == "POST" and form.is_valid():
        changed = form.save(request)
        model_admin.message_user(request, _("%(count)s choice(s) saved.") % {"count": changed})
        return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[person.pk]))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": person,
        "title": _("Channels %(name)s accepts") % {"name": person},
        "form": form,
    }
    return TemplateResponse(request, "admin/notifications/ticks.html", context)


def messengers_panel(person, organisation_ids):
    """The person's linked Telegram accounts and accepted channels, for their admin page:
    those of `organisation_ids` (the viewer's) and of the platform's bot only (P-3)."""
    from django.db.models import Q
    from django.utils.html import format_html, format_html_join

    from notifications.channels.kinds import Channel
    from notifications.consent.models import ContactConsent
    from notifications.messengers.ticks import PURPOSE

    visible = Q(organisation__isnull=True) | Q(organisation_id__in=organisation_ids)
    links = format_html_join(
        ", ",
        "{} ({})",
        (
            (str(link), _("active") if link.active else link.deactivated_reason)
            for link in person.telegram_links.filter(visible)
        ),
    )
    accepted = format_html_join(
        ", ",
        "{} · {}",
        (
            (name, Channel(channel).label)
            for name, channel in ContactConsent.objects.filter(
                purpose=PURPOSE,
                user=person,
                state=ContactConsent.State.ACCEPTED,
                organisation_id__in=organisation_ids,
            ).values_list("organisation__name", "channel")
        ),
    )
    edit = reverse("admin:accounts_user_ticks", args=[person.pk])
    return format_html(
        '<p>Telegram : {}</p><p>{} {}</p><p><a href="{}">{}</a></p>',
        links or "—",
        _("Accepts:"),
        accepted or "—",
        edit,
        _("Change the channels accepted"),
    )
