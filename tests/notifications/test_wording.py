"""What the shipped messages and labels say, as a French or English reader reads them
(issue 16, item 12)."""

import re

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from notifications.events import catalog
from notifications.unsubscribe import make_token

CATALOG = settings.BASE_DIR / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def shipped_texts(language):
    for event_type in catalog():
        for rule in event_type.default_rules:
            for (channel, lang), (subject, body) in rule.templates.items():
                if lang == language:
                    yield f"{rule.key} {channel}", subject + "\n" + body


def test_i12_the_french_catalog_follows_french_typography():
    wrong = []
    for entry in polib.pofile(str(CATALOG)):
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            if re.search(r" [:;?!]|« | »|\w'\w", text):
                wrong.append(text)
    assert wrong == []


def test_i12_shipped_french_messages_follow_french_typography_and_do_not_hedge_gender():
    for where, text in shipped_texts("fr"):
        assert not re.search(r"\(e\)", text), where
        assert not re.search(r"\w'\w", text.replace("'visite'", "")), where
        assert not re.search(r" [:;?!]|« | »", text), where


def test_i12_dates_in_messages_always_give_the_year_in_one_style_per_language():
    formats = {"fr": set(), "en": set()}
    for language in formats:
        for _where, text in shipped_texts(language):
            formats[language] |= set(re.findall(r"\|date:'([^']+)'", text))
    assert formats == {"fr": {"j F Y", "l j F Y"}, "en": {"F j, Y", "l, F j, Y"}}


@pytest.mark.parametrize(
    ("msgid", "french"),
    [
        ("Created", "Date de création"),  # a request's column ("Créé" for a demande)
        ("View %s", "Consultation\u00a0: %s"),  # Django said "Affichage de envoi"
        ("Change %s", "Modification\u00a0: %s"),
        ("%(host)s will be told at once.", "Nous prévenons %(host)s immédiatement."),
    ],
)
def test_i12_french_labels_agree_whatever_they_describe(msgid, french):
    with translation.override("fr"):
        assert gettext(msgid) == french


@pytest.mark.django_db
def test_i12_the_unsubscribe_page_says_par_e_mail_in_a_sentence(alice):
    token = make_token(f"user:{alice.pk}", "visits", "email", alice.email)
    page = Client(headers={"accept-language": "fr"}).get(f"/unsubscribe/{token}/")
    text = page.content.decode()
    assert "Ne plus recevoir les messages «\u00a0Mes visites\u00a0» par e-mail\u00a0?" in text
