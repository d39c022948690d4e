"""P-3: sidebar filters, form choices and autocomplete offer only the reader's rows.

Django's related-field filter lists every row of the related model: every person,
category, site and organisation of the platform, whatever the list shows.
"""

import pytest
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import Membership, Role
from accounts.scoping import ScopedAccessMixin, ScopedRelatedFieldListFilter, scoped_choices
from requests_center import services
from requests_center.models import Category, Comment, Request
from tests.factories import SiteFactory, UserFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def horizon(other_organisation):
    """Parc Horizon's manager, occupant, site and category, and a request among them."""
    carol = member(
        other_organisation, Role.MANAGER, email="carol@example.test", display_name="Carol"
    )
    olivier = member(other_organisation, email="olivier@example.test", display_name="Olivier")
    site = SiteFactory(organisation=other_organisation, name="Tour Horizon")
    category = Category.objects.create(organisation=other_organisation, name="Ascenseur")
    request = services.submit(olivier, site=site, category=category, title="Panne", description="")
    services.update(request, carol, assigned_to=carol)
    return [carol, olivier, site, category, other_organisation]


@pytest.fixture
def tilleuls_request(alice, bob, site, organisation):
    # Two of each: a filter with a single choice is not shown.
    second_site = SiteFactory(organisation=organisation, name="Bâtiment B")
    for name, where in (("Chauffage", site), ("Plomberie", second_site)):
        category = Category.objects.create(organisation=organisation, name=name)
        request = services.submit(alice, site=where, category=category, title=name, description="")
    return services.update(request, bob, assigned_to=bob)


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob)
    return client


def _reader(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_p3_every_related_filter_of_every_scoped_admin_is_the_scoped_one(bob):
    request = _reader(bob)
    checked = 0
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, ScopedAccessMixin):
            continue
        for entry in model_admin.get_list_filter(request):
            path = entry[0] if isinstance(entry, tuple) else entry
            if isinstance(path, str) and get_fields_from_path(model, path)[-1].is_relation:
                assert entry == (path, ScopedRelatedFieldListFilter), (model, path)
                checked += 1
    assert checked >= 7  # sites, events, deliveries, rules, categories, requests, visits...


def test_p3_request_filters_offer_only_the_managers_people_categories_and_sites(
    bob_client, tilleuls_request, horizon
):
    response = bob_client.get(reverse("admin:requests_center_request_changelist"))
    changelist = response.context["cl"]
    offered = {
        spec.field_path: {pk for pk, _label in spec.lookup_choices}
        for spec in changelist.filter_specs
        if isinstance(spec, ScopedRelatedFieldListFilter)
    }
    tilleuls = Request.objects.filter(organisation=tilleuls_request.organisation)
    assert offered == {
        "category": set(tilleuls.values_list("category", flat=True)),
        "assigned_to": {tilleuls_request.assigned_to_id},
        "site": set(tilleuls.values_list("site", flat=True)),
    }
    for name in ("Carol", "Olivier", "Tour Horizon", "Ascenseur", "Parc Horizon"):
        assert name not in response.content.decode()


def test_p3_organisation_filters_offer_only_the_managers_organisations(
    bob_client, tilleuls_request, horizon, other_organisation
):
    for name in ("event", "delivery", "rule"):
        response = bob_client.get(reverse(f"admin:notifications_{name}_changelist"))
        assert other_organisation.name not in response.content.decode(), name


def test_p3_the_role_filter_keeps_a_role_in_another_organisation_unsaid(
    client, organisation, other_organisation, horizon
):
    carol = horizon[0]
    victor = member(organisation, Role.MANAGER, email="victor@example.test")
    Membership.objects.create(user=victor, organisation=other_organisation)
    client.force_login(carol)
    url = reverse("admin:accounts_user_changelist")
    managers = set(client.get(url, {"role": Role.MANAGER}).context["cl"].queryset)
    occupants = set(client.get(url, {"role": Role.OCCUPANT}).context["cl"].queryset)
    assert (victor in managers, victor in occupants) == (False, True)


def test_p3_autocomplete_offers_only_the_managers_people(bob_client, alice, horizon):
    response = bob_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "requests_center", "model_name": "request", "field_name": "declarant"},
    )
    offered = {result["text"] for result in response.json()["results"]}
    assert str(alice) in offered
    assert not offered & {"Carol", "Olivier"}


def test_p3_a_model_without_a_scoped_admin_offers_a_manager_nothing(bob, tilleuls_request):
    Comment.objects.create(request=tilleuls_request, author=bob, body="Vu.")
    root = UserFactory(email="root@example.test", is_staff=True, is_superuser=True)
    assert not scoped_choices(Comment, _reader(bob), admin.site).exists()
    assert scoped_choices(Comment, _reader(root), admin.site).count() == 1
