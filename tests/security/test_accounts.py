"""P-3: a manager changes a person only if they manage every organisation the person is in.

Victor manages the Tilleuls and lives at Parc Horizon; Carol manages Parc Horizon. Were
Carol to change Victor's email or password, she would sign in as a Tilleuls manager.
"""

import pytest
from django.urls import reverse

from accounts.models import Membership, Role
from notifications.models import Device
from tests.admin_forms import change_form_data
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def carol(other_organisation):
    return member(other_organisation, Role.MANAGER, email="carol@example.test")


@pytest.fixture
def victor(organisation, other_organisation):
    victor = member(organisation, Role.MANAGER, email="victor@example.test")
    Membership.objects.create(user=victor, organisation=other_organisation, role=Role.OCCUPANT)
    return victor


@pytest.fixture
def carol_client(client, carol):
    client.force_login(carol)
    return client


def _platform_person(other_organisation, **powers):
    person = UserFactory(email="root@example.test", **powers)
    Membership.objects.create(user=person, organisation=other_organisation)
    return person


def test_p3_another_organisations_manager_sees_a_shared_person_read_only(carol_client, victor):
    response = carol_client.get(reverse("admin:accounts_user_change", args=[victor.pk]))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert not {"email", "is_active", "password"} & set(form.fields)
    assert b"/password/" not in response.content  # no link to the password form


def test_p3_another_organisations_manager_cannot_change_a_shared_persons_account(
    carol_client, victor
):
    url = reverse("admin:accounts_user_change", args=[victor.pk])
    data = change_form_data(carol_client.get(url), email="stolen@example.test")
    data.pop("is_active", None)
    carol_client.post(url, data)
    victor.refresh_from_db()
    assert (victor.email, victor.is_active) == ("victor@example.test", True)


def test_p3_another_organisations_manager_cannot_set_a_shared_persons_password(
    carol_client, victor
):
    url = reverse("admin:auth_user_password_change", args=[victor.pk])
    assert carol_client.get(url).status_code == 403
    password = {"password1": "Stolen-pass-1234", "password2": "Stolen-pass-1234"}
    response = carol_client.post(url, password | {"usable_password": "true"})
    assert response.status_code == 403
    victor.refresh_from_db()
    assert victor.check_password("pw")


def test_p3_another_organisations_manager_cannot_delete_a_shared_person(carol_client, victor):
    url = reverse("admin:accounts_user_delete", args=[victor.pk])
    assert carol_client.get(url).status_code == 403
    assert carol_client.post(url, {"post": "yes"}).status_code == 403
    action = {"action": "delete_selected", "_selected_action": [victor.pk], "post": "yes"}
    assert carol_client.post(reverse("admin:accounts_user_changelist"), action).status_code == 403
    victor.refresh_from_db()


@pytest.mark.parametrize("powers", [{"is_superuser": True, "is_staff": True}, {"is_staff": True}])
def test_p3_only_a_superuser_changes_staff_or_a_superuser(
    carol_client, other_organisation, client, powers
):
    person = _platform_person(other_organisation, **powers)
    password = reverse("admin:auth_user_password_change", args=[person.pk])
    assert carol_client.get(password).status_code == 403
    delete = reverse("admin:accounts_user_delete", args=[person.pk])
    assert carol_client.post(delete, {"post": "yes"}).status_code == 403
    person.refresh_from_db()
    client.force_login(UserFactory(email="ops@example.test", is_staff=True, is_superuser=True))
    assert client.get(password).status_code == 200


def test_p3_a_shared_persons_memberships_of_the_managers_organisation_stay_manageable(
    carol_client, victor, organisation, other_organisation
):
    url = reverse("admin:accounts_user_change", args=[victor.pk])
    response = carol_client.get(url)
    (memberships,) = [
        f for f in response.context["inline_admin_formsets"] if f.opts.model is Membership
    ]
    assert {form.instance.organisation for form in memberships.formset.initial_forms} == {
        other_organisation
    }
    response = carol_client.post(url, change_form_data(response, **{"memberships-0-role": "staff"}))
    assert response.status_code == 302
    roles = dict(victor.memberships.values_list("organisation", "role"))
    assert roles == {organisation.pk: Role.MANAGER, other_organisation.pk: Role.STAFF}


def test_p3_a_shared_persons_devices_and_preferences_are_shown_not_changed(carol_client, victor):
    Device.objects.create(user=victor, token="victor-phone", platform=Device.Platform.ANDROID)
    response = carol_client.get(reverse("admin:accounts_user_change", args=[victor.pk]))
    panels = [
        f for f in response.context["inline_admin_formsets"] if f.opts.model is not Membership
    ]
    assert panels
    for panel in panels:
        rights = (
            panel.has_add_permission,
            panel.has_change_permission,
            panel.has_delete_permission,
        )
        assert rights == (False, False, False), panel.opts.model


def test_p3_a_manager_still_changes_the_people_of_their_own_organisations(bob_client, alice):
    url = reverse("admin:accounts_user_change", args=[alice.pk])
    response = bob_client.post(url, change_form_data(bob_client.get(url), email="a@example.test"))
    assert response.status_code == 302
    password = reverse("admin:auth_user_password_change", args=[alice.pk])
    new = {"password1": "A-new-pass-1234", "password2": "A-new-pass-1234"}
    assert bob_client.post(password, new | {"usable_password": "true"}).status_code == 302
    alice.refresh_from_db()
    assert alice.email == "a@example.test" and alice.check_password("A-new-pass-1234")


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob)
    return client


def test_p3_a_shared_persons_preferences_and_devices_are_read_only_for_the_other_manager(
    carol_client, carol, victor, other_organisation
):
    from notifications.models import Preference

    device = Device.objects.create(user=victor, token="victors-phone", platform="android")
    preference = Preference.objects.create(user=victor, group="requests", channel="sms")
    for name, obj in (("device", device), ("preference", preference)):
        page = carol_client.get(reverse(f"admin:notifications_{name}_change", args=[obj.pk]))
        assert page.status_code == 200 and not page.context["has_change_permission"]
        deleted = carol_client.post(
            reverse(f"admin:notifications_{name}_delete", args=[obj.pk]), {"post": "yes"}
        )
        assert deleted.status_code == 403
    carol_client.post(
        reverse("admin:notifications_preference_add"),
        {"user": victor.pk, "group": "visits", "channel": "email", "enabled": ""},
    )
    assert not Preference.objects.filter(user=victor, group="visits").exists()
    neighbour = member(other_organisation, email="neighbour@example.test")
    carol_client.post(
        reverse("admin:notifications_preference_add"),
        {"user": neighbour.pk, "group": "visits", "channel": "email", "enabled": ""},
    )
    assert Preference.objects.filter(user=neighbour, group="visits").exists()  # hers to change
    device.refresh_from_db()
    assert device.active
