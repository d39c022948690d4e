"""P-3: managers of organisation A never see organisation B's data in the admin."""

import pytest
from django.urls import reverse

from accounts.models import Membership, Role, Site
from accounts.scoping import scope_to_user
from tests.factories import SiteFactory, UserFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def carol(other_organisation):
    """Carol lives at Parc Horizon, an organisation Bob does not manage."""
    return member(other_organisation, email="carol@example.test", display_name="Carol")


@pytest.fixture
def horizon_site(other_organisation):
    return SiteFactory(organisation=other_organisation, name="Tour Horizon")


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob)
    return client


def test_p3_manager_reaches_the_back_office(bob_client):
    response = bob_client.get(reverse("admin:index"))
    assert response.status_code == 200


def test_p3_occupant_is_kept_out_of_the_back_office(client, alice):
    client.force_login(alice)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response.url


def test_p3_manager_lists_only_own_organisation_users(bob_client, alice, carol):
    response = bob_client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 200
    listed = set(response.context["cl"].queryset)
    assert alice in listed
    assert carol not in listed


def test_p3_manager_cannot_open_or_change_another_organisations_user(bob_client, carol):
    url = reverse("admin:accounts_user_change", args=[carol.pk])
    assert bob_client.get(url).status_code == 302  # "does not exist" redirect, no data shown
    bob_client.post(url, {"email": "stolen@example.test", "display_name": "Stolen"})
    carol.refresh_from_db()
    assert carol.email == "carol@example.test"


def test_p3_manager_lists_and_opens_only_own_sites(bob_client, site, horizon_site):
    response = bob_client.get(reverse("admin:accounts_site_changelist"))
    assert list(response.context["cl"].queryset) == [site]
    assert bob_client.get(reverse("admin:accounts_site_change", args=[site.pk])).status_code == 200
    other = reverse("admin:accounts_site_change", args=[horizon_site.pk])
    assert bob_client.get(other).status_code == 302


def test_p3_manager_cannot_change_or_delete_another_organisations_site(bob_client, horizon_site):
    change = reverse("admin:accounts_site_change", args=[horizon_site.pk])
    bob_client.post(change, {"organisation": horizon_site.organisation_id, "name": "Renamed"})
    delete = reverse("admin:accounts_site_delete", args=[horizon_site.pk])
    bob_client.post(delete, {"post": "yes"})
    horizon_site.refresh_from_db()
    assert horizon_site.name == "Tour Horizon"


def test_p3_manager_cannot_create_a_site_in_another_organisation(
    bob_client, organisation, other_organisation
):
    add = reverse("admin:accounts_site_add")
    response = bob_client.post(add, {"organisation": other_organisation.pk, "name": "Intrus"})
    assert response.status_code == 200  # the form is shown again with an error
    assert "organisation" in response.context["adminform"].form.errors
    assert not Site.objects.filter(name="Intrus").exists()
    bob_client.post(add, {"organisation": organisation.pk, "name": "Bâtiment B"})
    assert Site.objects.filter(organisation=organisation, name="Bâtiment B").exists()


def test_p3_manager_sees_only_own_organisation(bob_client, organisation, other_organisation):
    response = bob_client.get(reverse("admin:accounts_organisation_changelist"))
    assert list(response.context["cl"].queryset) == [organisation]


def test_p3_manager_cannot_grant_platform_powers(bob_client, alice):
    url = reverse("admin:accounts_user_change", args=[alice.pk])
    form = bob_client.get(url).context["adminform"].form
    assert "is_superuser" not in form.fields
    assert "user_permissions" not in form.fields


def test_p3_manager_sees_only_own_organisations_memberships_of_a_shared_user(
    bob_client, organisation, other_organisation
):
    both = member(organisation, email="dual@example.test")
    Membership.objects.create(user=both, organisation=other_organisation, role=Role.MANAGER)
    url = reverse("admin:accounts_user_change", args=[both.pk])
    inline = bob_client.get(url).context["inline_admin_formsets"][0]
    organisations = {form.instance.organisation for form in inline.formset.initial_forms}
    assert organisations == {organisation}


def test_p3_person_added_by_a_manager_stays_in_their_organisation(bob_client, organisation):
    bob_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "newcomer@example.test",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
            "usable_password": "true",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    newcomer = UserFactory._meta.model.objects.get(email="newcomer@example.test")
    assert newcomer.memberships.get().organisation == organisation


def test_p3_scope_helper_gives_superusers_everything(site, horizon_site):
    root = UserFactory(is_superuser=True, is_staff=True)
    assert set(scope_to_user(Site.objects.all(), root, "organisation")) == {site, horizon_site}


def test_p3_manager_logs_into_the_admin_with_email_and_password(client, bob):
    bob.set_password("a-long-passphrase")
    bob.save()
    response = client.post(
        reverse("admin:login"),
        {"username": bob.email, "password": "a-long-passphrase", "next": reverse("admin:index")},
    )
    assert response.status_code == 302 and response.url == reverse("admin:index")


def test_p3_occupant_cannot_log_into_the_admin(client, alice):
    alice.set_password("a-long-passphrase")
    alice.save()
    response = client.post(
        reverse("admin:login"), {"username": alice.email, "password": "a-long-passphrase"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors


def test_c2_a_wrong_phone_number_is_refused_with_a_clear_message(bob_client, alice):
    from tests.admin_forms import change_form_data

    url = reverse("admin:accounts_user_change", args=[alice.pk])
    response = bob_client.post(url, change_form_data(bob_client.get(url), phone="12345"))
    assert response.status_code == 200
    assert "numéro de téléphone" in str(response.context["adminform"].form.errors["phone"])
    alice.refresh_from_db()
    assert not alice.phone


def test_c2_phone_numbers_are_stored_in_e164(bob_client, alice):
    from tests.admin_forms import change_form_data

    url = reverse("admin:accounts_user_change", args=[alice.pk])
    response = bob_client.post(url, change_form_data(bob_client.get(url), phone="06 12 34 56 78"))
    assert response.status_code == 302
    alice.refresh_from_db()
    assert str(alice.phone) == "+33612345678"
