from django import forms
from django.utils.translation import gettext_lazy as _


class ErasureForm(forms.Form):
    """A manager confirms an erasure, and says why (kept in the erasure record)."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Kept in the erasure record, e.g. “request by email of 2 March”. "
            "Do not write the person's name: it is erased too."
        ),
    )
    confirm = forms.BooleanField(label=_("I understand that this cannot be undone."), required=True)
