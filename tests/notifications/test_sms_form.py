"""The SMS template form shows the length and the number of SMS (SPEC N-3)."""

import pytest
from django.urls import reverse

from tests.factories import RuleFactory

pytestmark = pytest.mark.django_db


def test_n3_sms_template_form_shows_length_and_segments(admin_client):
    rule = RuleFactory(channels=["sms"], templates={"fr": ("", "Déneigement demain à 6 h – merci")})
    page = admin_client.get(reverse("admin:notifications_rule_change", args=[rule.pk]))
    form = page.context["inline_admin_formsets"][0].formset.forms[0]
    help_text = str(form.fields["body"].help_text)
    assert "32 caractères, UCS-2\u00a0: 1 SMS" in help_text  # the en dash is not GSM-7
    assert "sms_counter.js" in str(page.context["media"])
    assert "data-sms-count-template" in page.content.decode()
