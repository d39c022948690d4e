"""The back office's form for a status's own message (SPEC R-8)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from notifications.events import get_event_type
from notifications.forms import one_line_ending
from notifications.models import Channel
from notifications.templating import TemplateProblem, check_template
from workorders.services import STATUS_EVENT

TRIGGER_CHANNELS = [Channel.EMAIL, Channel.SMS, Channel.INAPP, Channel.PUSH]


class TriggerMessageForm(forms.Form):
    """Who is told when an order enters the status, on which channels, and in what words."""

    role = forms.ChoiceField(label=_("Recipients"), widget=forms.RadioSelect)
    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        widget=forms.CheckboxSelectMultiple,
        choices=[(c.value, c.label) for c in TRIGGER_CHANNELS],
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    subject = forms.CharField(
        label=_("Subject / title"),
        max_length=255,
        required=False,
        help_text=_("For email and push; an SMS has none."),
    )
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8, "cols": 80}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.event_type = get_event_type(STATUS_EVENT)
        self.fields["role"].choices = [(role.code, role.label) for role in self.event_type.roles]
        names = ", ".join(f"{{{{ {name} }}}}" for name in sorted(self.event_type.variable_names()))
        self.fields["body"].help_text = _("Variables: %(names)s") % {"names": names}

    def clean(self):
        cleaned = super().clean()
        for name in ("subject", "body"):
            cleaned[name] = one_line_ending(cleaned.get(name, ""))
            if cleaned[name]:
                try:
                    check_template(cleaned[name], self.event_type.variable_names())
                except TemplateProblem as problem:
                    self.add_error(name, str(problem))
        if "\n" in cleaned.get("subject", ""):
            self.add_error("subject", _("A subject is one line: remove the line breaks."))
        wants_subject = {Channel.EMAIL, Channel.PUSH} & set(cleaned.get("channels", []))
        if wants_subject and not cleaned.get("subject"):
            self.add_error("subject", _("An email or a push message needs a subject."))
        return cleaned
