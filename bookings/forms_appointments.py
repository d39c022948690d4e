"""The public appointment page's form: who the client is, and their SMS consent."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from bookings.models import StaffRecap
from bookings.services import clients

SMS_CONSENT = _(
    "I agree to receive text messages about this appointment (confirmation, reminders, "
    "changes) at this number. Reply STOP to stop them."
)


class ClientForm(forms.Form):
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
