"""A-2…A-7 by random sequences: what the fake provider received obeys the ledger and the switches.

Hypothesis plays contact points added and deleted, replies in varied spellings (OUI, non
merci, Arrête, START…), answers on the signed page, switches of the company and of the
contracts, route runs and the next day. A small model says what each number and address
must have received; the fake Twilio and Brevo on 127.0.0.1 say what did: no opted-out,
unconfirmed or switched-off point is ever contacted, nobody is alerted twice a day, and
the ledger's replay agrees with the colours.
"""

import datetime
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alerts import services
from alerts.consent import Colour, colour_of
from alerts.models import Company, Route
from notifications.consent.replay import disagreements
from notifications.feedback.keywords import read
from tests.alerts.conftest import make_contract, make_occupant, reply
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

SPELLINGS = [
    "OUI",
    "oui",
    "Yes",
    "non merci",
    "NON",
    "STOP",
    "Arrête",
    "désabonner",
    "START",
    "bonjour",
]
PERSON = st.integers(0, 1)
METHOD = st.sampled_from(["sms", "email"])
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), PERSON, METHOD),
        st.tuples(st.just("reply"), PERSON, st.sampled_from(SPELLINGS)),
        st.tuples(st.just("link"), PERSON, st.booleans()),
        st.tuples(st.just("delete"), PERSON, METHOD),
        st.tuples(st.just("switch"), st.sampled_from(["company", "0", "1"]), st.booleans()),
        st.tuples(st.just("run"), st.sampled_from(["Nord", "Sud"])),
        st.tuples(st.just("run"), st.sampled_from(["Nord", "Sud"])),
        st.tuples(
            st.just("day"),
        ),
    ),
    max_size=16,
)
NUMBERS = (f"+1514{n:07d}" for n in itertools.count(3_000_000))
WORLDS = itertools.count()


class Person:
    """What the ledger should say of one person's number and address."""

    def __init__(self, occupant, number, email):
        self.occupant, self.number, self.email = occupant, number, email
        self.points = {}  # method -> ContactPoint
        self.state = {"sms": None, "email": None}  # the ledger's opt-in state per address
        self.stopped = False
        self.alerted_on = None  # the day something reached them

    def address(self, method):
        return self.number if method == "sms" else self.email

    def may_be_alerted(self, method):
        if method not in self.points or self.state[method] != "accepted":
            return False
        return not (method == "sms" and self.stopped)

    def colour(self, method):
        if method == "sms" and self.stopped:
            return Colour.STOP
        return Colour(self.state[method]) if self.state[method] else Colour.RECEIVED


def build_world():
    n = next(WORLDS)
    organisation = OrganisationFactory(name=f"Boréal {n}", sending_mode="production")
    company = Company.objects.create(organisation=organisation, name=f"Boréal {n}")
    nord = Route.objects.create(company=company, name="Nord")
    sud = Route.objects.create(company=company, name="Sud")
    contracts = [
        make_contract(company, nord, 1, "1, rue A"),
        make_contract(company, nord, 2, "2, rue B"),
    ]
    cabin = make_contract(company, sud, 1, "3, rue C")  # person 0's second contract
    people = []
    for i in range(2):
        occupant = make_occupant(company, f"P{i}", contracts[i], *([cabin] if i == 0 else []))
        people.append(Person(occupant, next(NUMBERS), f"p{i}.{n}@example.org"))
    routes = {"Nord": (nord, [0, 1]), "Sud": (sud, [0])}
    return company, contracts + [cabin], people, routes


def received(fake_provider, person):
    sms = sum(1 for r in fake_provider.sent("sms") if r.body["To"] == person.number)
    email = sum(1 for r in fake_provider.sent("email") if r.body["to"][0]["email"] == person.email)
    return sms, email


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS)
def test_a2_a4_a5_a7_nobody_unconfirmed_stopped_or_switched_off_is_reached_nor_twice_a_day(
    steps, client, fake_provider, noon, on_commit
):
    company, contracts, people, routes = build_world()
    # Both start green by SMS, person 0 by email too: the steps then take it from there.
    for person in people:
        with on_commit():
            person.points["sms"] = services.add_contact_point(person.occupant, "sms", person.number)
        reply(client, person.number, "oui")
        person.state["sms"] = "accepted"
    with on_commit():
        email = services.add_contact_point(people[0].occupant, "email", people[0].email)
    services.answer_by_link(email, True, "Oui", "/x/")
    people[0].points["email"], people[0].state["email"] = email, "accepted"
    switched_on = {"company": True, "0": True, "1": True}
    day = 0
    for step in steps:
        kind = step[0]
        expected = {id(p): list(received(fake_provider, p)) for p in people}
        if kind == "add":
            person, method = people[step[1]], step[2]
            try:
                with on_commit():
                    point = services.add_contact_point(
                        person.occupant, method, person.address(method)
                    )
            except services.ContactError:
                assert method in person.points
            else:
                person.points[method] = point
                stopped = method == "sms" and person.stopped
                if switched_on["company"] and not stopped:
                    expected[id(person)][0 if method == "sms" else 1] += 1
                    person.state[method] = "pending"
        elif kind == "reply":
            person, text = people[step[1]], step[2]
            reply(client, person.number, text)
            keyword = read(text)
            action = keyword.action if keyword else None
            if action == "stop":
                person.stopped = True
            elif action == "start":
                person.stopped = False
            elif action in ("yes", "no"):
                if action == "yes":
                    person.stopped = False
                if person.state["sms"] == "pending":
                    person.state["sms"] = "accepted" if action == "yes" else "refused"
        elif kind == "link":
            person, yes = people[step[1]], step[2]
            if "email" in person.points:
                services.answer_by_link(person.points["email"], yes, "Oui" if yes else "Non", "/x/")
                person.state["email"] = "accepted" if yes else "refused"
        elif kind == "delete":
            person, method = people[step[1]], step[2]
            if method in person.points:
                services.delete_contact_point(person.points.pop(method))
                if person.state[method] not in (None, "refused"):
                    person.state[method] = "refused"
        elif kind == "switch":
            what, on = step[1], step[2]
            switched_on[what] = on
            if what == "company":
                company.alerts_enabled = on
                company.save()
            else:
                contracts[int(what)].alerts_enabled = on
                services.save_contract(contracts[int(what)])
        elif kind == "run":
            route, reached = routes[step[1]]
            contract_on = {0: switched_on["0"], 1: switched_on["1"]}
            try:
                with on_commit():
                    run = services.start_run(route)
            except services.RunError:
                assert (
                    not switched_on["company"]
                    or step[1] == "Nord"
                    and not any(contract_on.values())
                )
            else:
                services.end_run(run)
                for index in reached:
                    person = people[index]
                    # Sud holds person 0's cabin only, always on; Nord their own contract.
                    if step[1] == "Nord" and not contract_on[index]:
                        continue
                    if person.alerted_on == day:
                        continue  # one alert per occupant per day
                    got = [person.may_be_alerted(m) for m in ("sms", "email")]
                    for channel, yes in enumerate(got):
                        expected[id(person)][channel] += yes
                    if any(got):
                        person.alerted_on = day
        else:  # the next day, at noon
            noon.shift(datetime.timedelta(days=1))
            day += 1
        for person in people:
            assert list(received(fake_provider, person)) == expected[id(person)], f"after {step}"
    for person in people:
        for method, point in person.points.items():
            assert colour_of(point) == person.colour(method)
    assert disagreements() == []
