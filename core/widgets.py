"""Form widgets for the browser's own date and time pickers.

An `<input type="date">` (or time, datetime-local) takes only ISO values whatever the
page's language: Django's localized format (03/12/2026 in French) leaves it empty.
"""

from django import forms


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def preselect_only_choice(field):
    """A choice with a single option (one building) comes already chosen."""
    choices = list(field.queryset[:2])
    if len(choices) == 1 and field.initial is None:
        field.initial = choices[0].pk
