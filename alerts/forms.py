"""Forms of the operator page and the admin: start a run, add a contact point, broadcast."""

from django import forms
from django.utils.translation import gettext_lazy as _

from alerts.models import ContactPoint, Route, RouteRun


class StartRunForm(forms.Form):
    mode = forms.ChoiceField(label=_("Mode"), choices=RouteRun.Mode.choices, initial="buffer")
    buffer_size = forms.IntegerField(
        label=_("Contracts alerted ahead of the truck"), min_value=1, max_value=500, initial=5
    )
    reverse = forms.BooleanField(label=_("Reverse order (from the route's end)"), required=False)


class ContactPointForm(forms.Form):
    method = forms.ChoiceField(label=_("Method"), choices=ContactPoint.Method.choices)
    address = forms.CharField(label=_("Phone or email"), max_length=254)


class BroadcastForm(forms.Form):
    message = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000
    )
    routes = forms.ModelMultipleChoiceField(
        label=_("Routes"),
        queryset=Route.objects.none(),
        required=False,
        help_text=_("None chosen: every route."),
    )
    cities = forms.CharField(
        label=_("Cities"), required=False, help_text=_("Separated by commas; empty: every city.")
    )
    enabled_only = forms.BooleanField(
        label=_("Only contracts with alerts on"), required=False, initial=True
    )

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["routes"].queryset = company.routes.all()

    def criteria(self):
        data = self.cleaned_data
        return {
            "routes": [route.pk for route in data["routes"]],
            "cities": [city.strip() for city in data["cities"].split(",") if city.strip()],
            "enabled_only": data["enabled_only"],
        }
