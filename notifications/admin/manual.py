""" "Send a message" from any object's admin page (SPEC N-12).

A domain admin mixes in `ManualMessageMixin` and says who may be written to:

    class RequestAdmin(ManualMessageMixin, OrganisationScopedAdmin):
        def message_recipients(self, request_obj):
            return [request_obj.declarant, *request_obj.followers.all()]
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.files import UploadField, private_file_response
from notifications import manual
from notifications.channels.kinds import CHAT_LINK_CHANNELS
from notifications.forms import one_line_ending
from notifications.messengers.chat_links import chat_link, takes_text
from notifications.models import Channel, ManualAttachment
from notifications.recipients import as_e164, as_recipient


class ManualMessageForm(forms.Form):
    to = forms.ChoiceField(label=gettext_lazy("To"))
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=255, required=False)
    body = forms.CharField(
        label=gettext_lazy("Text"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text=gettext_lazy("Viber opens the chat only: it takes no text."),
    )
    address = forms.CharField(
        label=gettext_lazy("Another number or address"),
        max_length=254,
        required=False,
        help_text=gettext_lazy("Empty: the person's own."),
    )
    attachment = UploadField(label=gettext_lazy("Attachment (email only)"))

    def __init__(self, *args, options, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = options  # {"<index>:<channel>": (person, channel)}
        self.organisation = organisation  # whose sender a typed number's STOP is read for
        self.fields["to"].choices = [
            (key, _label(person, channel)) for key, (person, channel) in options.items()
        ]

    def clean(self):
        data = super().clean()
        data["body"] = one_line_ending(data.get("body"))
        person, channel = self.options.get(data.get("to"), (None, None))
        if channel == "email" and not data.get("subject"):
            self.add_error("subject", _("An email needs a subject."))
        if "\n" in data.get("subject", "") or "\r" in data.get("subject", ""):
            self.add_error("subject", _("A subject is one line: remove the line breaks."))
        if data.get("attachment") and channel != "email":
            self.add_error("attachment", _("Only an email can carry a document."))
        if (
            channel
            and not data["body"]
            and (channel not in CHAT_LINK_CHANNELS or takes_text(channel))
        ):
            self.add_error("body", _("Write the message."))
        if channel and data.get("address"):
            data["address"] = self._typed_address(channel, data["address"].strip())
        data["person"], data["channel"] = person, channel
        return data

    def _typed_address(self, channel, typed):
        if channel == "email":
            try:
                forms.EmailField().clean(typed)
            except forms.ValidationError:
                self.add_error("address", _("Enter a valid email address."))
                return ""
            address = typed.lower()
        elif channel == "inapp":
            self.add_error("address", _("An in-app message goes to the person's own inbox."))
            return ""
        else:
            address = as_e164(typed)
            if not address:
                self.add_error("address", _("Enter a phone number, e.g. +33 6 12 34 56 78."))
                return ""
        if not manual.may_use(channel, address, self.organisation):
            self.add_error("address", _("This address opted out or is suppressed."))
        return address


def _label(person, channel):
    recipient = as_recipient(person)
    address = {"email": recipient.email, "inapp": ""}.get(channel, recipient.phone)
    suffix = f" ({address})" if address else ""
    label = Channel(channel).label
    if channel in CHAT_LINK_CHANNELS:
        label = _("%(messenger)s (open the chat)") % {"messenger": label}
    return f"{recipient.name} — {label}{suffix}"


class ManualMessageMixin:
    """Adds a "Send a message" page to a domain ModelAdmin."""

    change_form_template = "admin/notifications/change_form_with_message.html"

    def message_recipients(self, obj):
        """The people who may be written to about `obj` (users or contacts)."""
        return []

    def get_urls(self):
        return [
            path(
                "<path:object_id>/message/",
                self.admin_site.admin_view(self.message_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_message",
            ),
            path(
                "<path:object_id>/message/documents/<int:attachment_id>/",
                self.admin_site.admin_view(self.message_attachment_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_message_attachment",
            ),
            *super().get_urls(),
        ]

    def message_view(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404  # outside the manager's organisations, or gone
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        options = self._message_options(obj)
        form = ManualMessageForm(
            request.POST or None,
            request.FILES or None,
            options=options,
            organisation=getattr(obj, "organisation", None),
        )
        if request.method == "POST" and form.is_valid():
            delivery = self._send(request, obj, form.cleaned_data)
            if delivery.channel in CHAT_LINK_CHANNELS:
                return self._chat_link_page(request, obj, delivery)
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "title": _("Send a message"),
            "form": form,
            "nobody": not options,
        }
        return TemplateResponse(request, "admin/notifications/manual_message.html", context)

    def message_attachment_view(self, request, object_id, attachment_id):
        """A document sent about an object in the manager's organisations; any other is a 404."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404
        attachment = get_object_or_404(
            ManualAttachment,
            pk=attachment_id,
            event__code=manual.MANUAL,
            event__target_type=ContentType.objects.get_for_model(obj),
            event__target_id=obj.pk,
        )
        return private_file_response(attachment.file, str(attachment))

    def _chat_link_page(self, request, obj, delivery):
        """The message handed over: the link that opens the chat, and the way back."""
        text = delivery.body if takes_text(delivery.channel) else ""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "title": _("Open the chat"),
            "delivery": delivery,
            "link": chat_link(delivery.channel, delivery.address, text),
            "back": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk]
            ),
        }
        return TemplateResponse(request, "admin/notifications/chat_link.html", context)

    def _message_options(self, obj):
        """Each reachable (person, channel): offered only where a contact point exists, the
        person ticked the channel and has not opted out."""
        options = {}
        organisation = getattr(obj, "organisation", None)
        for index, person in enumerate(self.message_recipients(obj)):
            for channel in manual.reachable_channels(person, organisation):
                options[f"{index}:{channel}"] = (person, channel)
        return options

    def _send(self, request, obj, data):
        delivery = manual.send(
            target=obj,
            person=data["person"],
            channel=data["channel"],
            subject=data["subject"],
            body=data["body"],
            sender=request.user,
            organisation=getattr(obj, "organisation", None),
            files=[data["attachment"]] if data["attachment"] else [],
            address=data.get("address") or "",
        )
        if delivery.channel not in CHAT_LINK_CHANNELS:
            messages.success(
                request,
                _("Message to %(name)s queued; it appears in the history below.")
                % {"name": delivery.recipient_name},
            )
        return delivery
