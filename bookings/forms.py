"""Portal forms: times are typed on the resource's clock, whoever types them."""

import datetime

from django import forms
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from bookings.models import AddOn, Subscription
from core import widgets


class TimesForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=widgets.DateInput())
    start_time = forms.TimeField(label=_("From"), widget=widgets.TimeInput())
    end_time = forms.TimeField(label=_("To"), widget=widgets.TimeInput())

    def __init__(self, *args, resource, **kwargs):
        super().__init__(*args, **kwargs)
        self.resource = resource

    @classmethod
    def initial_for(cls, booking):
        zone = booking.zone
        start, end = booking.start.astimezone(zone), booking.end.astimezone(zone)
        return {"date": start.date(), "start_time": start.time(), "end_time": end.time()}

    def clean(self):
        data = super().clean()
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day and start and end:
            zone = self.resource.zone
            data["start"] = datetime.datetime.combine(day, start, tzinfo=zone)
            data["end"] = datetime.datetime.combine(day, end, tzinfo=zone)
            if data["end"] <= data["start"]:
                self.add_error("end_time", _("The booking must end after it starts."))
        return data


class BookingForm(TimesForm):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    add_ons = forms.ModelMultipleChoiceField(
        queryset=AddOn.objects.none(),
        required=False,
        label=_("Add-on services"),
        widget=forms.CheckboxSelectMultiple,
    )
    guests = forms.CharField(
        label=_("Participants"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Email addresses, separated by commas: each one gets an invitation."),
    )

    def __init__(self, *args, resource, **kwargs):
        super().__init__(*args, resource=resource, **kwargs)
        self.fields["add_ons"].queryset = resource.add_ons.filter(is_active=True)
        self.fields["add_ons"].label_from_instance = lambda a: (
            f"{a.name} ({a.price} {resource.currency})" if a.price else a.name
        )

    def clean_guests(self):
        return parse_guests(self.cleaned_data["guests"], self.resource.organisation)


def parse_guests(text, organisation):
    """Participants typed as addresses: members of the organisation as themselves, others
    as guests reached by email."""
    found = []
    for address in {a.strip().lower() for a in text.replace(";", ",").split(",") if a.strip()}:
        try:
            validate_email(address)
        except forms.ValidationError:
            raise forms.ValidationError(
                _("“%(address)s” is not an email address.") % {"address": address[:100]}
            ) from None
        user = User.objects.filter(
            email__iexact=address, memberships__organisation=organisation, is_active=True
        ).first()
        found.append({"user": user} if user else {"email": address, "name": address})
    if len(found) > 20:
        raise forms.ValidationError(_("At most 20 participants at once."))
    return sorted(found, key=lambda f: str(f.get("user") or f.get("email")))


class GuestForm(forms.Form):
    guests = forms.CharField(
        label=_("Add participants"), help_text=BookingForm.base_fields["guests"].help_text
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_guests(self):
        return parse_guests(self.cleaned_data["guests"], self.organisation)


class AddOnForm(forms.Form):
    add_ons = forms.ModelMultipleChoiceField(
        queryset=AddOn.objects.none(),
        label=_("Add-on services"),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, resource, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["add_ons"].queryset = resource.add_ons.filter(is_active=True)


class SubscriptionForm(forms.Form):
    maintenance = forms.BooleanField(
        label=_("Tell me when a resource goes into maintenance"), required=False
    )
    every_booking = forms.ChoiceField(
        label=_("Every booking of the organisation"),
        choices=[
            ("", _("No, only mine")),
            (Subscription.Delivery.EACH, _("A message for each booking")),
            (Subscription.Delivery.DIGEST, _("One daily digest")),
        ],
        required=False,
        widget=forms.RadioSelect,
    )
    only_supervised = forms.BooleanField(label=_("Only the resources I supervise"), required=False)
