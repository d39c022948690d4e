from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Site
from requests_center.models import ALLOWED_EXTENSIONS, Category, validate_attachment_size

ACCEPT = ",".join(f".{extension}" for extension in ALLOWED_EXTENSIONS)


class AttachmentField(forms.FileField):
    """An optional file, checked for type and size before anything is saved."""

    def __init__(self, **kwargs):
        super().__init__(
            required=False,
            label=_("Attachment (photo or document)"),
            validators=[validate_attachment_size],
            widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
            **kwargs,
        )

    def validate(self, value):
        super().validate(value)
        if value and value.name.rsplit(".", 1)[-1].lower() not in ALLOWED_EXTENSIONS:
            raise forms.ValidationError(
                _("Files of this type are not accepted. Accepted: %(types)s."),
                params={"types": ", ".join(ALLOWED_EXTENSIONS)},
            )


class RequestForm(forms.Form):
    site = forms.ModelChoiceField(queryset=Site.objects.none(), label=_("Building"))
    category = forms.ModelChoiceField(queryset=Category.objects.none(), label=_("Category"))
    title = forms.CharField(max_length=200, label=_("Title"))
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), label=_("Description"))
    attachment = AttachmentField()

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.filter(organisation__in=organisations)
        self.fields["category"].queryset = Category.objects.filter(organisation__in=organisations)

    def clean(self):
        data = super().clean()
        site, category = data.get("site"), data.get("category")
        if site and category and site.organisation_id != category.organisation_id:
            self.add_error("category", _("This category belongs to another organisation."))
        return data


class CommentForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("Your comment"))
    attachment = AttachmentField()
