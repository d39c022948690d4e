"""Email through Django's mail API, so any django-anymail ESP works by settings (SPEC C-1)."""

import smtplib
import threading
from email.headerregistry import Address
from email.utils import make_msgid, parseaddr

from anymail.backends.base_requests import AnymailRequestsBackend
from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.signals import setting_changed
from django.dispatch import receiver

from notifications.channels.base import ChannelBackend, ChannelError, SendResult
from notifications.unsubscribe import url_for as unsubscribe_url


def esp_name():
    """The anymail ESP that EMAIL_BACKEND names ("brevo"), or "" for SMTP and the console."""
    module, _dot, _name = settings.EMAIL_BACKEND.rpartition(".")
    package, _dot, esp = module.rpartition(".")
    return esp if package == "anymail.backends" else ""


class EmailChannel(ChannelBackend):
    kind = "email"
    carries_html = True
    transmits_in_threads = True  # each thread keeps its own session to the ESP

    def address_for(self, recipient):
        return recipient.email

    def prepare(self, delivery):
        return self.build(delivery)

    def transmit(self, message):
        try:
            _send(message)
        except AnymailRecipientsRefused as error:
            raise ChannelError(
                f"Recipient refused by the provider: {error}", permanent=True
            ) from error
        except AnymailAPIError as error:
            # 4xx: the provider will never take this message; 5xx or no answer: try again.
            status = getattr(error, "status_code", None)
            permanent = status is not None and 400 <= status < 500 and status != 429
            raise ChannelError(f"Email provider error: {error}", permanent=permanent) from error
        except (smtplib.SMTPException, OSError) as error:
            raise ChannelError(f"Mail server unreachable: {error}") from error
        status = getattr(message, "anymail_status", None)
        return SendResult(
            provider_message_id=(status and status.message_id)
            or message.extra_headers["Message-ID"]
        )

    def build(self, delivery):
        """The email exactly as it would leave."""
        message = EmailMultiAlternatives(
            subject=delivery.subject,
            body=delivery.body,
            from_email=self._sender(delivery),
            to=[named(delivery.recipient_name, mailbox(delivery.address))],
            reply_to=self._reply_to(delivery),
            headers={"Message-ID": make_msgid(domain="relais")},
        )
        if delivery.html:
            message.attach_alternative(delivery.html, "text/html")
        if not delivery.event.event_type.mandatory:
            # RFC 8058 one-click: mail clients show an "unsubscribe" button.
            message.extra_headers["List-Unsubscribe"] = f"<{unsubscribe_url(delivery)}>"
            message.extra_headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        for filename, content, mimetype in delivery.attachments():
            message.attach(filename, content, mimetype)
        return message

    def _sender(self, delivery):
        actor = self._acting_staff(delivery)
        if not actor:
            return settings.DEFAULT_FROM_EMAIL
        # The address stays ours (SPF/DMARC); the name says who acted.
        _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
        return named(str(actor), address)

    def _reply_to(self, delivery):
        actor = self._acting_staff(delivery)
        return [named(str(actor), mailbox(actor.email))] if actor else []

    def _acting_staff(self, delivery):
        mode = delivery.rule.sender_mode if delivery.rule else ""
        if mode == "actor":
            return delivery.event.actor
        if mode == "staff":
            staff_of = delivery.event.event_type.staff_member
            target = delivery.event.target
            return staff_of(target) if staff_of and target is not None else None
        return None


def named(name, address):
    """ "Élodie Durand <elodie@example.fr>", quoted where needed, left for the mail library to
    encode: email.utils.formataddr would encode the name itself, and an ESP's API would then
    show "=?utf-8?q?=C3=89lodie?=" as the name."""
    return str(Address(display_name=" ".join(name.split()), addr_spec=address))


def mailbox(address):
    """The address as mail standards carry it: an international domain in its IDNA form.

    A local part (before the @) outside ASCII needs SMTPUTF8, which the ESPs do
    not offer: such an address can never be sent to, so it fails for good.
    """
    local, _at, domain = address.rpartition("@")
    if not local.isascii():
        raise ChannelError(
            f"{address!r}: characters outside ASCII before the @ cannot be sent to.",
            permanent=True,
        )
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError as error:
        raise ChannelError(f"{address!r}: not a valid domain ({error}).", permanent=True) from None


# Each worker thread keeps its HTTP session to the ESP between messages: a
# kept-alive connection spares a TCP and TLS handshake per message, which on
# a storm morning is most of the time spent per email besides the answer.
_kept = threading.local()
_settings_version = [0]  # moved on when the mail settings change: kept sessions are stale


def _send(message):
    backend = getattr(_kept, "backend", None)
    if backend is not None and _kept.version != _settings_version[0]:
        backend.close()
        backend = _kept.backend = None
    if backend is None:
        backend = get_connection()
        if isinstance(backend, AnymailRequestsBackend):
            backend.open()
            _kept.backend, _kept.version = backend, _settings_version[0]
        # SMTP and the development backends open and close a connection per message.
    backend.send_messages([message])


@receiver(setting_changed)
def _forget_connection(setting, **kwargs):
    # A test's settings change: every thread's session (the sending pool's too) is stale.
    if setting in ("EMAIL_BACKEND", "ANYMAIL"):
        _settings_version[0] += 1
