"""What a new user tripped on, in a real Chromium, at phone and desktop width, in French and
English: the visit form keeps its date, the home says what to do, the rule page and the
delivery log fit the back office (issue 16, items 2, 9, 13)."""

import datetime
import re
import zoneinfo

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import Role
from notifications.models import Delivery
from requests_center import services as requests
from tests.factories import RuleFactory, SiteFactory, member
from visitors import services as visits

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
WIDE = {"width": 1366, "height": 768}
SIZES = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
LANGUAGES = pytest.mark.parametrize("language", ["fr", "en"])


@pytest.fixture
def people(organisation):
    alice = member(organisation, email="alice@example.test", display_name="Alice Durand")
    bob = member(organisation, Role.MANAGER, email="bob@example.test", display_name="Bob Martin")
    site = SiteFactory(organisation=organisation, name="Bâtiment A", default_manager=bob)
    return alice, bob, site


def browse(new_context, log_in_as, user, language, viewport):
    user.language = language
    user.save(update_fields=["language"])
    phone = viewport is PHONE
    context = new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
    log_in_as(context, user)
    return context.new_page()


def shoot(page, screenshot_dir, name, viewport):
    page.screenshot(path=screenshot_dir / f"{name}.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{name} is {width}px wide: it scrolls sideways"


def tomorrow_at(hour):
    day = datetime.datetime.now(PARIS).date() + datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=PARIS)


@LANGUAGES
@SIZES
def test_v2_the_visit_form_shows_and_keeps_its_date_and_times(
    new_context, live_server, log_in_as, people, screenshot_dir, language, viewport
):
    alice, bob, site = people
    visit = visits.create_visit(
        alice,
        site=site,
        start=tomorrow_at(10),
        end=tomorrow_at(11),
        purpose="Réunion",
        visitors=[{"name": "Claire Petit", "email": "claire@atlas.test", "language": "fr"}],
    )
    page = browse(new_context, log_in_as, alice, language, viewport)
    page.goto(f"{live_server.url}/visits/{visit.pk}/edit/")
    expect(page.locator("#id_date")).to_have_value(tomorrow_at(10).date().isoformat())
    expect(page.locator("#id_start_time")).to_have_value("10:00")
    expect(page.locator("#id_end_time")).to_have_value("11:00")
    shoot(page, screenshot_dir, f"visit-edit-{language}-{viewport['width']}", viewport)
    page.locator("#id_end_time").fill("11:30")
    page.locator(".visit-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/visits/{visit.pk}/$"))
    visit.refresh_from_db()
    assert visit.end == tomorrow_at(11) + datetime.timedelta(minutes=30)

    page.goto(f"{live_server.url}/visits/new/")
    expect(page.locator("#id_site")).to_have_value(str(site.pk))  # the only place, chosen
    assert page.locator("#id_date").get_attribute("type") == "date"


@LANGUAGES
@SIZES
def test_p1_home_says_what_to_read_follow_and_expect(
    new_context,
    live_server,
    log_in_as,
    people,
    screenshot_dir,
    language,
    viewport,
    django_capture_on_commit_callbacks,
):
    alice, bob, site = people
    alice.language = language
    alice.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        leak = requests.submit(
            alice, site=site, category=None, title="Fuite d'eau", description="Sous l'évier."
        )
    with django_capture_on_commit_callbacks(execute=True):
        requests.comment(leak, bob, "Le plombier passe demain à 9 h.")
    visits.create_visit(
        alice, site=site, start=tomorrow_at(10), end=tomorrow_at(11), purpose="Réunion projet Atlas"
    )
    page = browse(new_context, log_in_as, alice, language, viewport)
    page.goto(f"{live_server.url}/")
    words = {
        "fr": (
            "2 messages non lus",
            "Mes demandes en cours",
            "Prochaines visites",
            "Nouvelle demande",
        ),
        "en": ("2 unread messages", "My open requests", "Next visits", "New request"),
    }[language]
    unread, open_requests, next_visits, new_request = words
    expect(page.locator(".home-messages")).to_contain_text(unread)
    expect(page.locator(".home-requests h2")).to_have_text(open_requests)
    expect(page.locator(".home-requests")).to_contain_text("Fuite d'eau")
    expect(page.locator(".home-visits h2")).to_have_text(next_visits)
    expect(page.locator(".home-visits")).to_contain_text("Réunion projet Atlas")
    ten = {"fr": "10:00", "en": "10 a.m."}[language]
    expect(page.locator(".home-visits")).to_contain_text(ten)  # in Alice's zone, Paris
    expect(page.locator(".shortcuts").get_by_role("link", name=new_request)).to_be_visible()
    shoot(page, screenshot_dir, f"home-{language}-{viewport['width']}", viewport)


def _boxes_overlap(a, b):
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@LANGUAGES
@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["phone", "desktop"])
def test_n3_rule_page_tools_sit_beside_the_title_and_inputs_fit_their_texts(
    new_context,
    live_server,
    log_in_as,
    people,
    screenshot_dir,
    language,
    viewport,
    django_capture_on_commit_callbacks,
):
    alice, bob, site = people
    rule = RuleFactory(
        organisation=site.organisation,
        name="Rappel de visite la veille au soir, aux visiteurs et aux hôtes",
        channels=["email", "inapp"],
        templates={
            "fr": ("Rappel : votre visite du {{ start }} chez Résidence Les Tilleuls", "Bonjour"),
            "en": ("Reminder: your visit on {{ start }} at Résidence Les Tilleuls", "Hello"),
        },
    )
    page = browse(new_context, log_in_as, bob, language, viewport)
    page.goto(f"{live_server.url}/admin/notifications/rule/{rule.pk}/change/")
    shoot(page, screenshot_dir, f"admin-rule-{language}-{viewport['width']}", viewport)
    titles = [page.locator(f"#content > {h}").bounding_box() for h in ("h1", "h2")]
    for tool in page.locator(".object-tools li").all():
        for title in titles:
            assert not _boxes_overlap(tool.bounding_box(), title), "a tool covers the title"
    for selector in [] if viewport is PHONE else ["#id_name", "#id_templates-0-subject"]:
        field = page.locator(selector)
        fits = field.evaluate("e => e.scrollWidth <= e.clientWidth")
        assert fits, f"{selector} is narrower than its text"

    with django_capture_on_commit_callbacks(execute=True):
        page.locator(".object-tools button[type=submit]").click()
    page.wait_for_load_state()
    shoot(page, screenshot_dir, f"admin-rule-tested-{language}-{viewport['width']}", viewport)
    note = page.locator(".messagelist .success")
    expected = {"fr": "dans votre messagerie", "en": "in your inbox"}[language]
    expect(note).to_contain_text(expected)
    expect(note).to_contain_text(bob.email)
    expect(note).not_to_contain_text("→")
    assert mail.outbox


@LANGUAGES
def test_n6_delivery_log_fits_1366_px_and_says_when_scheduled_rows_are_due(
    new_context, live_server, log_in_as, people, screenshot_dir, language
):
    alice, bob, site = people
    visits.create_visit(
        alice,
        site=site,
        start=tomorrow_at(10) + datetime.timedelta(days=2),
        end=tomorrow_at(11) + datetime.timedelta(days=2),
        purpose="Réunion",
        visitors=[{"name": "Claire Petit", "email": "claire@atlas.test", "language": "fr"}],
    )
    scheduled = Delivery.objects.filter(status=Delivery.Status.SCHEDULED)
    assert scheduled.exists(), "the shipped visit reminders are planned"
    page = browse(new_context, log_in_as, bob, language, WIDE)
    page.goto(f"{live_server.url}/admin/notifications/delivery/")
    shoot(page, screenshot_dir, f"admin-deliveries-{language}-1366", WIDE)
    table = page.locator("#result_list").bounding_box()
    assert table["x"] + table["width"] <= WIDE["width"], "the last column is cut"
    due = {"fr": "prévu le", "en": "due"}[language]
    expect(page.locator("#result_list td.field-sent").filter(has_text=due).first).to_be_visible()
