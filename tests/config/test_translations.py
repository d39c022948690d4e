"""French first, English second; the committed .mo files match their .po."""

from pathlib import Path

import polib
import pytest
from django.urls import reverse

LOCALE = Path(__file__).resolve().parents[2] / "locale"
CATALOGS = sorted(LOCALE.glob("*/LC_MESSAGES/*.po"))


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: p.parts[-3])
def test_compiled_catalog_matches_its_source(po_path):
    compiled = {entry.msgid: entry.msgstr for entry in polib.mofile(po_path.with_suffix(".mo"))}
    source = {e.msgid: e.msgstr for e in polib.pofile(po_path).translated_entries()}
    assert compiled | {"": ""} == source | {"": ""}, "run `make messages` to recompile"


def test_every_french_string_is_translated():
    catalog = polib.pofile(LOCALE / "fr/LC_MESSAGES/django.po")
    untranslated = [entry.msgid for entry in catalog.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalog.fuzzy_entries()]
    assert untranslated + fuzzy == []


@pytest.mark.django_db
def test_pages_speak_french_by_default(client):
    page = client.get(reverse("login")).content.decode()
    assert "Se connecter" in page
    assert "Mot de passe" in page


@pytest.mark.django_db
def test_english_is_available(client):
    client.post(reverse("set_language"), {"language": "en"})
    page = client.get(reverse("login")).content.decode()
    assert "Log in" in page


@pytest.mark.django_db
def test_p1_a_logged_in_person_reads_their_own_language(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(language="en"))
    assert "Messages" in client.get(reverse("notifications:inbox")).content.decode()
    assert 'lang="en"' in client.get(reverse("notifications:inbox")).content.decode()


@pytest.mark.django_db
def test_p1_switching_language_is_remembered_for_messages_too(client):
    from tests.factories import UserFactory

    person = UserFactory(language="fr")
    client.force_login(person)
    client.post(reverse("set_language"), {"language": "en"})
    person.refresh_from_db()
    assert person.language == "en"
