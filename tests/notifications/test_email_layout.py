"""Every email in one layout: who sends it, a title, the body, a button, why and how to stop
(issue 16, items 5, 12 and 14)."""

import datetime
import html
import re

import pytest
from django.core import mail
from django.test import Client

from accounts.models import Membership, Role, User
from notifications.defaults import install_default_rules
from notifications.models import Suppression
from tests.factories import SiteFactory, member
from visitors import services as visits

START = datetime.datetime(2027, 3, 4, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def shipped_rules(only_the_rules_a_test_makes):
    install_default_rules()


def html_of(message):
    """The HTML part, its entities (&nbsp;) read as the characters they stand for."""
    return html.unescape(message.alternatives[0].content)


def links(html):
    return {
        text.strip(): href for href, text in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', html)
    }


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run what waits for the commit (planning, sending): the emails leave."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def joined(organisation, sent, **user_fields):
    """A person created as the admin creates one (no password yet), and their welcome email."""
    user = User.objects.create_user(user_fields.pop("email", "dana@example.test"), **user_fields)
    sent(Membership.objects.create, user=user, organisation=organisation, role=Role.OCCUPANT)
    (welcome,) = [m for m in mail.outbox if user.email in m.to[0]]
    return user, welcome


def invite(organisation, host, sent):
    site = SiteFactory(organisation=organisation, name="Bâtiment A")
    sent(
        visits.create_visit,
        host,
        site=site,
        start=START,
        end=START + datetime.timedelta(hours=1),
        purpose="Réunion projet Atlas",
        visitors=[{"name": "Claire Petit", "email": "claire@atlas.test"}],
    )
    (invitation,) = [m for m in mail.outbox if "claire@atlas.test" in m.to[0]]
    return invitation


def test_i14_an_email_says_who_sends_it_has_a_title_a_button_and_a_footer(organisation, sent):
    _dana, welcome = joined(organisation, sent, display_name="Dana Roux")
    html = html_of(welcome)
    assert "Résidence Les Tilleuls" in html.split("<h1")[0]  # the organisation, at the top
    assert re.search(r"<h1[^>]*>Bienvenue dans Résidence Les Tilleuls</h1>", html)
    assert links(html)["Voir le détail"] == "http://127.0.0.1:8000/preferences/"
    assert ">http://127.0.0.1:8000/preferences/<" not in html  # a button, not a raw URL
    assert "Envoyé par Résidence Les Tilleuls avec Relais." in html
    assert "Vous recevez ce message au sujet de «\u00a0Mon compte\u00a0»." in html


def test_i14_the_css_is_inlined_and_the_layout_is_a_table_for_mail_clients(organisation, sent):
    _dana, welcome = joined(organisation, sent)
    html = html_of(welcome)
    assert html.count("<style") == 1  # only the media queries (phone, dark mode) stay
    assert "@media (prefers-color-scheme: dark)" in html
    assert '<meta name="color-scheme" content="light dark">' in html
    assert re.search(
        r'<table class="card" role="presentation"[^>]*style="[^"]*max-width: 600px', html
    )
    assert re.search(r'<td class="body" style="[^"]+"', html)


def test_i5_an_account_holders_email_links_to_unsubscribe_and_to_their_preferences(
    organisation, sent
):
    _dana, welcome = joined(organisation, sent)
    found = links(html_of(welcome))
    unsubscribe = found["Se désabonner"]
    assert welcome.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert found["Vos préférences"] == "http://127.0.0.1:8000/preferences/"
    footer = welcome.body.split("\n-- \n")[1]
    assert f"Ne plus recevoir ces messages\u00a0: {unsubscribe}" in footer
    assert (
        "Choisir ce que vous recevez et comment\u00a0: http://127.0.0.1:8000/preferences/" in footer
    )


def test_i5_a_visitor_unsubscribes_from_the_footer_without_an_account(organisation, bob, sent):
    invitation = invite(organisation, bob, sent)
    found = links(html_of(invitation))
    assert "Vos préférences" not in found  # a visitor has no preferences page
    assert "Voir le détail" not in found  # the visit's page is not theirs: no button
    url = found["Se désabonner"]
    assert f"Ne plus recevoir ces messages\u00a0: {url}" in invitation.body
    path = url.removeprefix("http://127.0.0.1:8000")
    visitor = Client()  # not logged in
    assert visitor.get(path).status_code == 200
    assert visitor.post(path).status_code == 200
    assert Suppression.objects.filter(address="claire@atlas.test").exists() or (
        "désinscrit" in visitor.get(path).content.decode()
    )


def test_i5_the_footer_speaks_the_recipients_language(organisation, sent):
    _ed, welcome = joined(organisation, sent, email="ed@example.test", language="en")
    html = html_of(welcome)
    assert '<html lang="en">' in html
    assert "Sent by Résidence Les Tilleuls with Relais." in html
    assert "You receive this message about “My account”." in html
    assert {"See the details", "Unsubscribe", "Your preferences"} <= set(links(html))
    assert "Stop receiving these messages: http://" in welcome.body


def test_i5_a_mandatory_email_has_no_unsubscribe_link_but_says_why_it_is_sent(organisation, sent):
    dana = member(organisation, email="dana@example.test", display_name="Dana Roux")
    mail.outbox.clear()
    sent(Client().post, "/password/reset/", {"email": dana.email})
    (reset,) = mail.outbox
    html = html_of(reset)
    assert "Se désabonner" not in html and "List-Unsubscribe" not in reset.extra_headers
    why = "Vous recevez ce message au sujet de «\u00a0Sécurité de mon compte\u00a0»\u00a0: "
    assert why in html and why in reset.body
    assert reset.body.startswith("Bonjour Dana Roux,")


def test_i12_the_welcome_greets_by_name_or_neutrally_and_gives_a_set_password_link(
    organisation, sent
):
    _dana, named = joined(organisation, sent, display_name="Dana Roux")
    assert named.body.startswith("Bonjour Dana Roux,\n\n")
    _eve, unnamed = joined(organisation, sent, email="eve@example.test")
    assert unnamed.body.startswith("Bonjour,\n\n")
    assert "eve@example.test" not in unnamed.body
    assert "valable 3\u00a0jours, une seule fois" in unnamed.body
    link = re.search(r"http://127.0.0.1:8000(/password/reset/\S+/)", unnamed.body).group(1)
    browser = Client()
    form = browser.get(link, follow=True)
    assert 'name="new_password1"' in form.content.decode()
    done = browser.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Un-long-mot-de-passe-42", "new_password2": "Un-long-mot-de-passe-42"},
    )
    assert done.status_code == 302
    assert User.objects.get(email="eve@example.test").check_password("Un-long-mot-de-passe-42")


def test_i12_a_person_who_has_a_password_gets_no_set_password_link(organisation, sent):
    sent(member, organisation, email="fay@example.test", display_name="Fay")  # has a password
    (welcome,) = [m for m in mail.outbox if "fay@example.test" in m.to[0]]
    assert "/password/reset/" not in welcome.body


def test_i14_a_message_written_by_hand_has_the_same_layout_and_footer(
    organisation, alice, bob, appointment_factory, sent
):
    from notifications import manual
    from notifications.messengers.ticks import set_tick

    set_tick(organisation, "email", alice.email, True, method="admin", user=alice)
    mail.outbox.clear()
    sent(
        manual.send,
        target=appointment_factory(),
        person=alice,
        channel="email",
        subject="Passage du plombier",
        body="Le plombier passe demain à 9 h.",
        sender=bob,
        organisation=organisation,
    )
    (email,) = mail.outbox
    html = html_of(email)
    assert re.search(r"<h1[^>]*>Passage du plombier</h1>", html)
    assert "Envoyé par Résidence Les Tilleuls avec Relais." in html
    assert "Se désabonner" in links(html)
    assert "Ne plus recevoir ces messages\u00a0: http://" in email.body


def test_p3_someone_of_another_organisation_too_gets_no_set_password_link_in_this_ones_log(
    organisation, other_organisation, sent
):
    # Its delivery log is read by this organisation's managers: the link would let them in.
    dana = User.objects.create_user("dana@example.test")  # no password yet
    sent(Membership.objects.create, user=dana, organisation=other_organisation, role=Role.MANAGER)
    mail.outbox.clear()
    sent(Membership.objects.create, user=dana, organisation=organisation, role=Role.OCCUPANT)
    (welcome,) = [m for m in mail.outbox if dana.email in m.to[0]]
    assert "/password/reset/" not in welcome.body
    assert not any(
        "/password/reset/" in d.body for d in dana.deliveries.filter(organisation=organisation)
    )
