from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Site
from core.files import UploadField
from core.widgets import preselect_only_choice
from requests_center.models import Category

ATTACHMENT_LABEL = _("Attachment (photo or document)")


class RequestForm(forms.Form):
    site = forms.ModelChoiceField(queryset=Site.objects.none(), label=_("Building"))
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(),
        label=_("Category"),
        required=False,
        empty_label=_("Other"),
    )
    title = forms.CharField(max_length=200, label=_("Title"))
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), label=_("Description"))
    attachment = UploadField(label=ATTACHMENT_LABEL)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.filter(organisation__in=organisations)
        self.fields["category"].queryset = Category.objects.filter(organisation__in=organisations)
        if not self.fields["category"].queryset.exists():
            del self.fields["category"]  # nothing to choose: every request is "Other"
        preselect_only_choice(self.fields["site"])

    def clean(self):
        data = super().clean()
        data.setdefault("category", None)
        site, category = data.get("site"), data.get("category")
        if site and category and site.organisation_id != category.organisation_id:
            self.add_error("category", _("This category belongs to another organisation."))
        return data


class CommentForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("Your comment"))
    attachment = UploadField(label=ATTACHMENT_LABEL)
