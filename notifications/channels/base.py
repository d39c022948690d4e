"""What every channel backend is: `send(delivery) -> SendResult`, or `ChannelError`."""

from dataclasses import dataclass


class ChannelError(Exception):
    """A send that failed. Permanent failures are never retried; `retry_after` (seconds) is
    the provider's own "not before" (Telegram's 429), waited at least when retrying."""

    def __init__(self, message, permanent=False, retry_after=None):
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str = ""


class ChannelBackend:
    """One way of reaching people. Subclasses declare `kind` and implement `send`."""

    kind: str = ""
    # Whether messages leave Relais for a provider: demo mode holds back those that do.
    leaves_relais: bool = True
    # Whether messages carry an HTML part: laid out from the text when a template has none.
    carries_html: bool = False
    # The longest text the provider takes, in characters (None: no limit worth a form error).
    text_limit: int | None = None

    def __init__(self):
        if not self.kind:
            raise TypeError(f"{type(self).__name__} must declare its channel `kind`.")

    def billed_segments(self, text) -> int | None:
        """How many units the provider bills for `text` once sent (None: not counted so)."""
        return None

    def address_for(self, recipient) -> str:
        """Where this channel reaches the recipient; empty when it cannot."""
        raise NotImplementedError

    def addresses(self, recipients) -> dict[str, str]:
        """`address_for` of many recipients at once (backends override it to batch queries)."""
        return {r.key: address for r in recipients if (address := self.address_for(r))}

    # Who sends, for pacing: messages of one sender share one budget (a Twilio number).
    sender: str = ""

    def sender_for(self, organisation_id) -> str:
        """The sender of the organisation's messages (its own number or bot, C-6), for pacing."""
        return self.sender

    # Whether `transmit` may run on a batch's thread pool (overlapping the provider's round
    # trips): it then reads nothing from the database, `prepare` having read it all.
    transmits_in_threads: bool = False

    def send(self, delivery) -> SendResult:
        """Send a rendered delivery; raise ChannelError on failure."""
        return self.transmit(self.prepare(delivery))

    def prepare(self, delivery):
        """What `transmit` needs, read from the database now (in the batch's own thread)."""
        return delivery

    def transmit(self, prepared) -> SendResult:
        """The provider call, from what `prepare` returned; raise ChannelError on failure."""
        raise NotImplementedError


class Unconfigured(ChannelBackend):
    """Stands for a channel with no backend in settings: it says so at send time."""

    def __init__(self, channel):
        self.kind = channel

    def address_for(self, recipient):
        return ""

    def transmit(self, delivery):
        raise ChannelError(
            f"No backend is configured for the {self.kind!r} channel (settings.RELAIS_CHANNELS).",
            permanent=True,
        )
