"""Appointments' forms: who the client is and their SMS consent — on the public page, on the
waitlist, and in the back office booking for them."""

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import AdminSplitDateTime
from django.utils.translation import gettext_lazy as _

from accounts.models import Language
from bookings import availability
from bookings.models import Appointment, Resource, StaffRecap
from bookings.services import appointments, clients

SMS_CONSENT = _(
    "I agree to receive text messages about this appointment (confirmation, reminders, "
    "changes) at this number. Reply STOP to stop them."
)


class PhoneConsentMixin:
    """A mobile number that can take texts, and the SMS consent tick that needs one."""

    region = settings.PHONENUMBER_DEFAULT_REGION

    def clean_phone(self):
        text = self.cleaned_data["phone"].strip()
        if not text:
            return ""
        try:
            return clients.mobile_number(text, self.region)
        except clients.NotMobile as problem:
            raise forms.ValidationError(str(problem)) from None

    def clean(self):
        data = super().clean()
        if data.get("sms_consent") and not data.get("phone") and "phone" not in self.errors:
            self.add_error("phone", _("Give a mobile number to receive text messages."))
        return data


class ClientForm(PhoneConsentMixin, forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("Your email address"), max_length=254)
    phone = forms.CharField(
        label=_("Your mobile number"),
        max_length=30,
        required=False,
        help_text=_("Optional: for text reminders."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    sms_consent = forms.BooleanField(label=SMS_CONSENT, required=False)

    def __init__(self, *args, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.region = region or settings.PHONENUMBER_DEFAULT_REGION
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"


class ReviewForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("Your rating"),
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Your comment (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


WAITLIST_SMS_CONSENT = _(
    "I agree to receive a text message at this number if this slot frees, then about the "
    "appointment (confirmation, reminders, changes). Reply STOP to stop them."
)


class WaitlistForm(ClientForm):
    """Who waits: a name, an address, and a mobile to be offered the slot by text too."""

    sms_consent = forms.BooleanField(label=WAITLIST_SMS_CONSENT, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].help_text = _("Optional: to be offered the slot by text too.")


BACK_OFFICE_SMS_CONSENT = _(
    "The client agrees to receive text messages about this appointment (confirmation, "
    "reminders, changes) at this number. They can reply STOP to stop them."
)


class BackOfficeAppointmentForm(PhoneConsentMixin, forms.ModelForm):
    """A manager books for a client: the service, the staff member, the time, who the client
    is and, if the client agreed, their SMS consent ticked for them (B-17, N-20)."""

    agenda = forms.ModelChoiceField(
        label=_("staff member"),
        queryset=Resource.objects.none(),
        required=False,
        empty_label=_("Any staff member"),
    )
    start = forms.SplitDateTimeField(label=_("start"), widget=AdminSplitDateTime)
    name = forms.CharField(label=_("client's name"), max_length=150)
    email = forms.EmailField(label=_("client's email"), max_length=254)
    phone = forms.CharField(label=_("client's mobile"), max_length=30, required=False)
    language = forms.ChoiceField(
        label=_("client's language"), choices=Language.choices, initial=Language.FRENCH
    )
    sms_consent = forms.BooleanField(label=BACK_OFFICE_SMS_CONSENT, required=False)
    organisations = None  # the manager's, set per request by the admin

    class Meta:
        model = Appointment
        fields = ["service"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda"].queryset = Resource.objects.filter(
            kind=Resource.Kind.AGENDA, is_active=True, organisation__in=self.organisations
        )
        self.fields["service"].queryset = self.fields["service"].queryset.filter(is_active=True)

    def clean(self):
        data = super().clean()
        service, agenda, start = data.get("service"), data.get("agenda"), data.get("start")
        if service and agenda and not service.agendas.filter(pk=agenda.pk).exists():
            self.add_error("agenda", _("This staff member does not offer this service."))
        elif service and start:
            self._check_free(service, agenda, start)
        return data

    def _check_free(self, service, agenda, start):
        """Say now, on the form, what the booking would refuse (the service checks again)."""
        if agenda is None:
            if appointments.any_free_agenda(service, start) is None:
                self.add_error("start", _("Already booked at that time: please choose another."))
            return
        refused = availability.refusal(agenda, start, start + service.held_for)
        if refused is not None:
            self.add_error("start", refused.message)

    def client(self):
        data = self.cleaned_data
        return {key: data[key] for key in ("name", "email", "phone", "language")}


class StaffRecapForm(forms.ModelForm):
    """A staff member's own recap hour, on their own clock (B-13)."""

    class Meta:
        model = StaffRecap
        fields = ["send_time", "day", "whole_day", "enabled"]
        widgets = {"send_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def __init__(self, *args, may_see_all=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_see_all:
            del self.fields["whole_day"]  # only managers get every staff member's list
