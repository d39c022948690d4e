"""Back-office forms: rules timed in words, templates checked before they are saved (N-2, N-3)."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from notifications.channels import get_backend
from notifications.channels.kinds import AUTOMATED_CHANNELS
from notifications.channels.sms import segment_info
from notifications.events import (
    COMMON_VARIABLES,
    UnknownEvent,
    catalog,
    get_event_type,
    groups,
    mandatory_groups,
)
from notifications.messengers.integrations import is_connected
from notifications.models import Channel, MessageTemplate, Preference, Rule, Suppression
from notifications.recipients import as_e164
from notifications.suppressions import is_known_address
from notifications.templating import TemplateProblem, check_template
from notifications.timing import UNIT_MINUTES, split_offset

PHONE_CHANNELS = (Channel.SMS, Channel.VOICE)
UNIT_CHOICES = [("minutes", _("minutes")), ("hours", _("hours")), ("days", _("days"))]
DIRECTION_CHOICES = [("before", _("before")), ("after", _("after"))]
AT_ONCE = [("", _("at once (no reminder)"))]
TIMING_LABELS = {
    "timing_amount": _("Offset"),
    "timing_unit": _("Unit"),
    "timing_direction": _("Before or after"),
    "anchor": _("Anchor"),
}


def _event_type(code):
    try:
        return get_event_type(code) if code else None
    except UnknownEvent:
        return None


def _checkboxes(**kwargs):
    return forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, **kwargs)


class RuleForm(forms.ModelForm):
    """A rule, with the choices its event declares: roles, anchors, conditions (SPEC N-2)."""

    event_code = forms.ChoiceField(label=_("Event"))
    roles = _checkboxes(label=_("Recipients"))
    channels = _checkboxes(
        label=_("Channels"), choices=[(c.value, c.label) for c in AUTOMATED_CHANNELS]
    )
    conditions = _checkboxes(
        label=_("Conditions"),
        required=False,
        help_text=_("Send only when every checked condition holds; checked again at send time."),
    )
    # One row that reads as a sentence: "Send [24] [hours] [before] [Start]".
    timing_amount = forms.IntegerField(
        label=_("Send"),
        min_value=0,
        max_value=100_000,
        required=False,
        help_text=_(
            "Days keep the time of day: 1 day before a 10:00 visit is 10:00 the day before, "
            "even when the clocks change; hours and minutes count elapsed time. A reminder "
            "before its date is never sent once that date has passed; a message after it is "
            "sent at most 1 hour late."
        ),
    )
    timing_unit = forms.ChoiceField(label="", choices=UNIT_CHOICES, initial="hours")
    timing_direction = forms.ChoiceField(label="", choices=DIRECTION_CHOICES, initial="before")
    anchor = forms.ChoiceField(label="", required=False)
    send_window_channels = _checkboxes(
        label=_("Window applies to"), choices=Channel.choices, required=False
    )

    # The admin turns this off for managers: their rules belong to one of their organisations.
    global_rules_allowed = True

    class Meta:
        model = Rule
        fields = [
            "name", "event_code", "organisation", "enabled", "priority", "roles", "channels",
            "fallback_channel", "sender_mode", "anchor", "conditions", "send_window_start",
            "send_window_end", "send_window_channels", "daily_cap",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.event_type = _event_type(self._chosen_event_code())
        self.fields["event_code"].choices = [("", "---------")] + [
            (event_type.code, f"{event_type.label} · {event_type.code}") for event_type in catalog()
        ]
        self._offer_choices_of(self.event_type)
        for name, label in TIMING_LABELS.items():  # the row's labels are blank: say it to readers
            if name in self.fields:
                self.fields[name].widget.attrs["aria-label"] = label
        if "organisation" in self.fields and not self.global_rules_allowed:
            self.fields["organisation"].required = True
            self.fields["organisation"].help_text = ""  # "empty: every organisation" is not theirs
        if self.instance.pk:
            if not self.instance.is_immediate:
                self._initial_timing(self.instance.offset_minutes, self.instance.offset_unit)
        elif self.event_type:
            self.initial.setdefault("priority", self.event_type.priority)
            self.initial.setdefault("name", str(self.event_type.label))

    def _chosen_event_code(self):
        """The event whose roles are offered: as submitted, else as asked for, else as stored."""
        if self.is_bound:
            return self.data.get(self.add_prefix("event_code"), "")
        return self.initial.get("event_code") or self.instance.event_code

    def _offer_choices_of(self, event_type):
        roles = event_type.roles if event_type else []
        anchors = event_type.anchors if event_type else []
        conditions = event_type.conditions if event_type else []
        self.fields["roles"].choices = [(role.code, role.label) for role in roles]
        self.fields["anchor"].choices = AT_ONCE + [(a.code, a.label) for a in anchors]
        self.fields["conditions"].choices = [(c.code, c.label) for c in conditions]
        if event_type is None:
            self.fields["roles"].help_text = _("Choose the event first to see its roles.")
        elif not conditions:
            self.fields["conditions"].help_text = _("This event declares no conditions.")

    def _initial_timing(self, offset_minutes, unit):
        amount, unit = split_offset(offset_minutes, unit)
        self.initial.setdefault("timing_amount", amount)
        self.initial.setdefault("timing_unit", unit)
        self.initial.setdefault("timing_direction", "before" if offset_minutes < 0 else "after")

    def clean(self):
        cleaned = super().clean()
        cleaned["offset_minutes"] = self._offset_minutes(cleaned)
        self._check_send_window(cleaned)
        self._check_connected(cleaned)
        return cleaned

    def _check_connected(self, cleaned):
        """A messenger is offered once the organisation (or the platform) connected it (C-6)."""
        organisation = cleaned.get("organisation")
        for channel in cleaned.get("channels") or []:
            if not is_connected(channel, organisation):
                message = _(
                    "%(channel)s is not connected for this organisation: connect it under "
                    "Integrations first."
                ) % {"channel": Channel(channel).label}
                self.add_error("channels", message)

    def _offset_minutes(self, cleaned):
        if not cleaned.get("anchor"):
            return 0  # at once: an offset without an anchor means nothing
        minutes = (cleaned.get("timing_amount") or 0) * UNIT_MINUTES[
            cleaned.get("timing_unit") or "minutes"
        ]
        return -minutes if cleaned.get("timing_direction") == "before" else minutes

    def _check_send_window(self, cleaned):
        start, end = cleaned.get("send_window_start"), cleaned.get("send_window_end")
        if (start is None) != (end is None):
            self.add_error("send_window_end", _("Give both ends of the window, or neither."))
        elif start is not None and end <= start:
            # Planning reads the window as [start, end) within one day.
            self.add_error("send_window_end", _("The window must end after it starts."))
        elif start is not None and not cleaned.get("send_window_channels"):
            self.add_error("send_window_channels", _("Check the channels the window applies to."))

    def save(self, commit=True):
        self.instance.offset_minutes = self.cleaned_data["offset_minutes"]
        anchored = bool(self.instance.anchor)
        self.instance.offset_unit = self.cleaned_data.get("timing_unit", "") if anchored else ""
        return super().save(commit)


def one_line_ending(text):
    """Browsers send a textarea's lines ended by CR LF: keep LF, or the CR shows in push
    and in-app bodies."""
    if not isinstance(text, str):
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


class MessageTemplateForm(forms.ModelForm):
    """A template, refused when its syntax is wrong or it names an unknown variable (N-3)."""

    class Meta:
        model = MessageTemplate
        fields = ["channel", "language", "subject", "body", "html"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 6, "cols": 80}),
            "html": forms.Textarea(attrs={"rows": 4, "cols": 80}),
        }

    class Media:
        js = ["notifications/sms_counter.js"]

    def __init__(self, *args, variable_names=frozenset(COMMON_VARIABLES), **kwargs):
        super().__init__(*args, **kwargs)
        self.variable_names = set(variable_names)
        names = ", ".join(f"{{{{ {name} }}}}" for name in sorted(self.variable_names))
        self.fields["body"].help_text = _("Variables: %(names)s") % {"names": names}
        # The SMS length is counted as the manager types (sms_counter.js), and shown
        # for the saved text too, for a page read without JavaScript.
        self.fields["body"].widget.attrs["data-sms-count-template"] = _(
            "{length} characters, {encoding}: {segments} SMS (before variables are filled in)"
        )
        if self.instance.pk and self.instance.channel == Channel.SMS:
            length = segment_info(self.instance.body)
            self.fields["body"].help_text += " · " + _(
                "%(length)s characters, %(encoding)s: %(segments)s SMS"
            ) % {
                "length": length.characters,
                "encoding": length.encoding,
                "segments": length.segments,
            }
        if self.instance.pk and self.instance.channel == Channel.WHATSAPP:
            self.fields["body"].help_text += " · " + _whatsapp_approval(self.instance)

    def clean(self):
        cleaned = super().clean()
        self._check_length(cleaned)
        for name, is_html in (("subject", False), ("body", False), ("html", True)):
            if name in cleaned:
                cleaned[name] = one_line_ending(cleaned[name])
            if cleaned.get(name):
                try:
                    check_template(cleaned[name], self.variable_names, html=is_html)
                except TemplateProblem as problem:
                    self.add_error(name, str(problem))
        return cleaned

    def _check_length(self, cleaned):
        channel, body = cleaned.get("channel"), cleaned.get("body") or ""
        limit = get_backend(channel).text_limit if channel else None
        if limit and len(body) > limit:
            message = _(
                "A %(channel)s message holds at most %(limit)s characters; "
                "this text has %(length)s."
            )
            params = {"channel": Channel(channel).label, "limit": limit, "length": len(body)}
            self.add_error("body", message % params)


def _whatsapp_approval(template):
    """Whether WhatsApp approved the template: outside 24 hours, only approved ones are sent."""
    approval = getattr(template, "whatsapp_approval", None)
    if approval is not None:
        return _("Approved by WhatsApp (%(sid)s).") % {"sid": approval.content_sid}
    return _(
        "Not approved by WhatsApp: it is sent only to people who wrote in the last 24 hours; "
        "add its Content SID under “Approved WhatsApp templates”."
    )


class MessageTemplateFormSet(BaseInlineFormSet):
    """A rule's templates, checked against its event's variables and its channels."""

    def get_form_kwargs(self, index):
        # In the admin the parent rule carries the event as submitted, even on a new rule.
        event_type = _event_type(self.instance.event_code)
        names = event_type.variable_names() if event_type else set(COMMON_VARIABLES)
        return {**super().get_form_kwargs(index), "variable_names": names}

    def clean(self):
        super().clean()
        written = {
            form.cleaned_data.get("channel")
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form)
        }
        needed = set(self.instance.channels or []) | ({self.instance.fallback_channel} - {""})
        missing = sorted(needed - written)
        if missing:
            raise ValidationError(
                _("Each channel of the rule needs a template; missing: %(channels)s."),
                params={"channels": ", ".join(str(Channel(c).label) for c in missing)},
            )


class PreferenceForm(forms.ModelForm):
    group = forms.ChoiceField(label=_("Group"))

    class Meta:
        model = Preference
        fields = ["user", "group", "channel", "enabled"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "group" not in self.fields:
            return  # shown read-only: a stored choice stays the choice it is
        choices = [(group.code, group.label) for group in groups()]
        if self.instance.group and self.instance.group not in dict(choices):
            choices.append((self.instance.group, self.instance.group))
        self.fields["group"].choices = choices

    def clean(self):
        cleaned = super().clean()
        group = cleaned.get("group", self.instance.group)
        if group in mandatory_groups() and cleaned.get("enabled") is False:
            self.add_error("enabled", _("These messages are mandatory: they cannot be turned off."))
        return cleaned


class CustomiseForm(forms.Form):
    """Which organisation gets its own copy of a default rule."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if len(organisations) == 1:
            self.initial.setdefault("organisation", organisations[0])


class SuppressionForm(forms.ModelForm):
    """A manual suppression; managers may add only addresses of their own people (SPEC P-3)."""

    user = None  # who is adding it: the admin sets it on the form class it builds per request

    class Meta:
        model = Suppression
        fields = ["channel", "address", "reason", "detail"]

    def clean(self):
        cleaned = super().clean()
        address = cleaned.get("address", "").strip()
        if address and cleaned.get("channel") in PHONE_CHANNELS:
            # Sends compare addresses exactly, and phone numbers are stored in E.164.
            address = as_e164(address)
            if not address:
                self.add_error("address", _("Enter a phone number, e.g. +33 6 12 34 56 78."))
                return cleaned
        if address and self.user is not None and not is_known_address(self.user, address):
            self.add_error(
                "address", _("This address is not one of your organisation's people or messages.")
            )
        cleaned["address"] = address
        return cleaned
