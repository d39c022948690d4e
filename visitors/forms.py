import datetime

from django import forms
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from accounts.models import Language, Site, User
from core import widgets


class VisitForm(forms.Form):
    """When, where and why; times are read in the host's own time zone."""

    site = forms.ModelChoiceField(queryset=Site.objects.none(), label=_("Place"))
    date = forms.DateField(label=_("Date"), widget=widgets.DateInput())
    start_time = forms.TimeField(label=_("From"), widget=widgets.TimeInput())
    end_time = forms.TimeField(label=_("To"), widget=widgets.TimeInput())
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=200,
        required=False,
        help_text=_("Shown to your visitors, e.g. “Project meeting”."),
    )
    co_hosts = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=_("Co-hosts"),
        help_text=_("They are told too when a visitor arrives."),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, host, organisations, zone, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.fields["site"].queryset = Site.objects.filter(organisation__in=organisations)
        widgets.preselect_only_choice(self.fields["site"])
        self.fields["co_hosts"].queryset = (
            User.objects.filter(memberships__organisation__in=organisations, is_active=True)
            .exclude(pk=host.pk)
            .distinct()
        )

    @classmethod
    def initial_for(cls, visit, zone):
        start, end = visit.start.astimezone(zone), visit.end.astimezone(zone)
        return {
            "site": visit.site,
            "date": start.date(),
            "start_time": start.time().replace(second=0, microsecond=0),
            "end_time": end.time().replace(second=0, microsecond=0),
            "purpose": visit.purpose,
            "co_hosts": list(visit.co_hosts.all()),
        }

    def clean(self):
        data = super().clean()
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day and start and end:
            data["start"] = datetime.datetime.combine(day, start, tzinfo=self.zone)
            data["end"] = datetime.datetime.combine(day, end, tzinfo=self.zone)
            if data["end"] <= data["start"]:
                self.add_error("end_time", _("The visit must end after it starts."))
            elif data["end"] <= timezone.now():
                self.add_error("date", _("This time is already past."))
        site = data.get("site")
        strangers = [
            person
            for person in data.get("co_hosts", [])
            if site and not person.memberships.filter(organisation=site.organisation_id).exists()
        ]
        if strangers:
            self.add_error("co_hosts", _("Co-hosts must belong to the place's organisation."))
        return data

    def visit_fields(self):
        data = self.cleaned_data
        return {
            "site": data["site"],
            "start": data["start"],
            "end": data["end"],
            "purpose": data["purpose"],
        }


class VisitorForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(
        label=_("Email"), help_text=_("The invitation and the check-in link go there.")
    )
    phone = PhoneNumberField(label=_("Mobile phone"), required=False)
    company = forms.CharField(label=_("Company"), max_length=150, required=False)
    language = forms.ChoiceField(label=_("Language of the messages"), choices=Language.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language = (translation.get_language() or "fr")[:2]
        self.fields["language"].initial = (
            language if language in Language.values else Language.FRENCH
        )


class BaseVisitorFormSet(forms.BaseFormSet):
    def new_visitors(self):
        """The visitors typed in, blank rows left out."""
        return [
            {**form.cleaned_data, "phone": form.cleaned_data.get("phone") or ""}
            for form in self.forms
            if form.has_changed() and form.cleaned_data
        ]


def visitor_formset(data=None, *, required):
    """Rows for new visitors: at least one when a visit is created."""
    formset_class = forms.formset_factory(
        VisitorForm,
        formset=BaseVisitorFormSet,
        extra=0 if required else 1,
        min_num=1 if required else 0,
        validate_min=required,
        max_num=50,
        validate_max=True,
    )
    return formset_class(
        data,
        prefix="visitors",
        error_messages={"too_few_forms": _("Invite at least one visitor.")},
    )
