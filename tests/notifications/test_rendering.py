"""Templates managers write: safe tags only, known variables only (SPEC N-3)."""

import datetime

import pytest
from django.utils import translation

from notifications.templating import TemplateProblem, check_template, render

NAMES = {"title", "start", "items", "recipient_name"}


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English; the French ones are in the catalog."""
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    "source",
    [
        "Bonjour {{ recipient_name }}",
        "{% if title %}{{ title|upper }}{% else %}—{% endif %}",
        "{% for item in items %}{{ forloop.counter }}. {{ item }}{% empty %}rien{% endfor %}",
        "{% with t=title %}{{ t }}{% endwith %}",
        "{{ start|date:'j F Y' }} {{ title|default:recipient_name }}",
        # Comparisons and boolean operators, as in the shipped status-change rule.
        "{% if title == 'Coupe' %}a{% elif not title %}b{% endif %}",
        "{% if title and recipient_name or not items %}x{% endif %}",
        "{% if title != recipient_name and 'a' in title %}y{% endif %}",
    ],
)
def test_n3_safe_templates_are_accepted(source):
    check_template(source, NAMES)


def test_n3_syntax_error_is_refused_with_a_clear_message():
    with pytest.raises(TemplateProblem, match="syntax error.*endif"):
        check_template("{% if title %}open", NAMES)


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ("{{ titel }}", "titel"),
        ("{% if secret %}x{% endif %}", "secret"),
        ("{% for x in things %}{{ x }}{% endfor %}", "things"),
        ("{{ title|default:password }}", "password"),
        ("{% for item in items %}{% endfor %}{{ item }}", "item"),  # loop variable out of scope
        ("{% if title == secret %}x{% endif %}", "secret"),
        ("{% if not secret %}x{% endif %}", "secret"),
        ("{% if title and secret %}x{% endif %}", "secret"),
    ],
)
def test_n3_unknown_variable_is_refused(source, name):
    with pytest.raises(TemplateProblem, match=rf"Unknown variable \{{\{{ {name} \}}\}}"):
        check_template(source, NAMES)


@pytest.mark.parametrize(
    "source",
    [
        "{% load static %}",
        "{% include 'base.html' %}",
        "{% extends 'base.html' %}",
        "{% url 'admin:index' %}",
        "{% debug %}",
        "{% csrf_token %}",
    ],
)
def test_n3_unsafe_tags_are_refused(source):
    with pytest.raises(TemplateProblem):
        check_template(source, NAMES)


def test_n3_errors_are_explained_in_french_by_default():
    with translation.override("fr"), pytest.raises(TemplateProblem, match="Variable inconnue"):
        check_template("{{ titel }}", NAMES)


def test_n17_render_uses_the_language_and_time_zone():
    start = datetime.datetime(2026, 7, 14, 12, 0, tzinfo=datetime.UTC)
    context = {"start": start}
    french = render(
        "{{ start|date:'l j F' }}", "{{ start|time:'H:i' }}", "", context, "fr", "Europe/Paris"
    )
    english = render(
        "{{ start|date:'l j F' }}", "{{ start|time:'H:i' }}", "", context, "en", "America/New_York"
    )
    assert (french.subject, french.body) == ("mardi 14 juillet", "14:00")
    assert (english.subject, english.body) == ("Tuesday 14 July", "08:00")


def test_n3_text_is_not_escaped_but_html_is():
    message = render(
        "{{ title }}", "{{ title }}", "<b>{{ title }}</b>", {"title": "A & B <c>"}, "fr", "UTC"
    )
    assert message.body == "A & B <c>"
    assert message.html == "<b>A &amp; B &lt;c&gt;</b>"


def test_n3_subject_stays_on_one_line():
    assert render("Hello\n{{ title }}\n", "", "", {"title": "x"}, "en", "UTC").subject == "Hello x"


def test_c1_html_version_of_a_text_has_clickable_links_and_escapes_the_rest():
    from notifications.rendering import html_from_text

    html = html_from_text("Voir <ici> : http://127.0.0.1:8000/requests/1/\n\nMerci")
    assert '<a href="http://127.0.0.1:8000/requests/1/" rel="nofollow">' in html
    assert "&lt;ici&gt;" in html
    assert html.count("<p>") == 2


def test_n17_a_subject_is_one_line_and_keeps_its_non_breaking_spaces():
    message = render(
        "Rappel\u00a0: {{ title }}\n  demain", "x", "", {"title": "Coupe"}, "fr", "UTC"
    )
    assert message.subject == "Rappel\u00a0: Coupe demain"
