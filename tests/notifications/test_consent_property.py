"""N-20, C-2 by random sequences: what the fake provider received obeys the ledger, always.

Hypothesis plays opt-in requests, replies in varied spellings (STOP, Arrête,
désabonner, START, Oui, non merci…), preference changes and sends — some sent at
once, some planned now and sent later, so that a STOP or a change of mind lands
between planning and sending. A small model of what each person said decides
what must have reached their number; the fake Twilio on 127.0.0.1 says what did.
At the end of every sequence, replaying the ledger finds the states it wrote.
"""

import datetime
import itertools
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notifications import outbox, sending
from notifications.consent.replay import disagreements
from notifications.feedback.keywords import read
from notifications.preferences import set_preference
from tests.factories import RuleFactory, member
from tests.notifications.test_channels import signed_post
from tests.testapp.models import Appointment

pytestmark = pytest.mark.django_db

SPELLINGS = [
    "STOP",
    " Arrêt ",
    "arrête",
    "ARRÊTER",
    "désabonner",
    "stop svp",
    "Opt-out",
    "Unsubscribe",
    "START",
    "unstop",
    "Oui",
    "yes please",
    "oui stop",
    "NON",
    "non merci",
    "aide",
    "bonjour",
]
PERSON = st.integers(0, 1)
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("request"), PERSON, st.booleans()),
        st.tuples(st.just("reply"), PERSON, st.sampled_from(SPELLINGS)),
        st.tuples(
            st.just("preference"),
            PERSON,
            st.sampled_from(["appointments", "alerts"]),
            st.booleans(),
        ),
        st.tuples(st.just("send"), PERSON, st.sampled_from(["booked", "alert"]), st.booleans()),
        st.tuples(st.just("flush")),
    ),
    max_size=18,
)
NUMBERS = (f"+336{n:08d}" for n in itertools.count(10_000_000))
GROUP = {"booked": "appointments", "alert": "alerts", "alert_opt_in": "consent"}


class Person:
    """What one person said so far, as the ledger should understand it."""

    def __init__(self, user, appointment):
        self.user, self.appointment, self.number = user, appointment, str(user.phone)
        self.stopped, self.opt_in, self.off = False, None, set()

    def may_receive(self, what):
        if self.stopped:
            return False  # nothing at all, confirmation requests included
        if what == "alert_opt_in":
            return True
        if GROUP[what] in self.off:
            return False
        return what != "alert" or self.opt_in == "accepted"

    def replied(self, text):
        keyword = read(text)
        action = keyword.action if keyword else None
        if action == "stop":
            self.stopped = True
        elif action == "start":
            self.stopped = False
        elif action == "yes":
            self.stopped = False
            if self.opt_in == "pending":
                self.opt_in = "accepted"
        elif action == "no" and self.opt_in == "pending":
            self.opt_in = "refused"


@pytest.fixture
def world(organisation, fake_provider, monkeypatch):
    RuleFactory(event_code="testapp.booked", channels=["sms"], templates=_texts("Rendez-vous"))
    RuleFactory(event_code="testapp.alert", channels=["sms"], templates=_texts("Alerte"))
    RuleFactory(event_code="testapp.alert_opt_in", channels=["sms"], templates=_texts("Confirmez"))
    # Deliveries planned while `hold` is on wait in `held` for the next "flush".
    sends = SimpleNamespace(hold=False, held=[])
    send_now = outbox.queue_sends

    def queue_sends(rows):
        if sends.hold:
            sends.held.extend(rows)
        else:
            send_now(rows)

    monkeypatch.setattr(outbox, "queue_sends", queue_sends)
    return sends


def _texts(word):
    return {"fr": ("", word + " {{ title }}"), "en": ("", word + " {{ title }}")}


def received(fake_provider, number):
    return sum(1 for r in fake_provider.sent("sms") if r.body["To"] == number)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS)
def test_n20_c2_nothing_reaches_an_opted_out_or_unconfirmed_number(
    steps, world, organisation, fake_provider, client, django_capture_on_commit_callbacks
):
    import notifications

    people = []
    for _ in range(2):
        user = member(organisation, phone=next(NUMBERS))
        appointment = Appointment.objects.create(
            organisation=organisation, client=user, title="Coupe", start=_start()
        )
        people.append(Person(user, appointment))
    pending = []  # (person, what, allowed when planned)

    for step in steps:
        kind, person = step[0], people[step[1]] if len(step) > 1 else None
        before = {p.number: received(fake_provider, p.number) for p in people}
        expected = dict(before)
        if kind == "reply":
            signed_post(
                client, "notifications:twilio_inbound", {"From": person.number, "Body": step[2]}
            )
            person.replied(step[2])
        elif kind == "preference":
            group, on = step[2], step[3]
            set_preference(person.user, group, "sms", on, method="page")
            (person.off.discard if on else person.off.add)(group)
        elif kind in ("request", "send"):
            what = "alert_opt_in" if kind == "request" else step[2]
            later = step[-1]
            allowed = person.may_receive(what)
            world.hold = later
            with django_capture_on_commit_callbacks(execute=True):
                notifications.emit(f"testapp.{what}", person.appointment)
            world.hold = False
            if later:
                pending.append((person, what, allowed))
            elif allowed:
                expected[person.number] += 1
                if what == "alert_opt_in":
                    person.opt_in = "pending"
        else:  # flush: what was planned goes now, if the ledger still lets it
            for held_person, what, allowed in pending:
                if allowed and held_person.may_receive(what):
                    expected[held_person.number] += 1
                    if what == "alert_opt_in":
                        held_person.opt_in = "pending"
            for delivery_id, _priority in world.held:
                sending.send(delivery_id)
            pending.clear()
            world.held.clear()
        after = {p.number: received(fake_provider, p.number) for p in people}
        assert after == expected, f"after {step}"
    assert disagreements() == []


def _start():
    return datetime.datetime(2026, 12, 10, 9, 0, tzinfo=datetime.UTC)
