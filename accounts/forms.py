from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.urls import reverse

import notifications


class EngineResetForm(PasswordResetForm):
    """Django's reset form, but the email goes through the engine: logged like any delivery."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        path = reverse(
            "password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]}
        )
        notifications.emit(
            "accounts.password_reset",
            context["user"],
            organisation=None,
            reset_link=settings.SITE_URL + path,
        )
