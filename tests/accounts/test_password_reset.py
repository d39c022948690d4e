"""Password reset by email is a mandatory engine event, logged like any delivery."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import Delivery, Preference

pytestmark = pytest.mark.django_db


def test_reset_link_is_sent_by_the_engine_even_with_email_turned_off(
    client, alice, django_capture_on_commit_callbacks
):
    Preference.objects.create(user=alice, group="security", channel="email", enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": alice.email})
    assert response.url == reverse("password_reset_done")
    delivery = Delivery.objects.get(event__code="accounts.password_reset")
    assert (delivery.user, delivery.status, delivery.channel) == (alice, "sent", "email")
    (email,) = mail.outbox
    assert email.subject == "Réinitialisation de votre mot de passe Relais"
    assert "List-Unsubscribe" not in email.extra_headers  # mandatory: no way out of it

    link = re.search(r"http://127\.0\.0\.1:8000(/password/reset/\S+/)", email.body).group(1)
    form = client.get(link, follow=True)
    assert form.context["validlink"]
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "un-nouveau-mot-de-passe", "new_password2": "un-nouveau-mot-de-passe"},
    )
    assert done.url == reverse("password_reset_complete")
    alice.refresh_from_db()
    assert alice.check_password("un-nouveau-mot-de-passe")


def test_unknown_address_sends_nothing_and_says_the_same(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "nobody@example.test"})
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []
    assert not Delivery.objects.filter(event__code="accounts.password_reset").exists()
