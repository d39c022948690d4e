"""Events of accounts: a person joins an organisation."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from accounts.models import BACK_OFFICE_ROLES, User
from notifications.events import (
    DefaultRule,
    EventGroup,
    EventType,
    Priority,
    RecipientRole,
    Variable,
    register,
)


def _member(membership, event):
    return [membership.user]


def _organisation_managers(membership, event):
    return User.objects.filter(
        memberships__organisation=membership.organisation_id,
        memberships__role__in=BACK_OFFICE_ROLES,
        is_active=True,
    ).exclude(pk=membership.user_id)


ACCOUNT = EventGroup("account", _("My account"))
SECURITY = EventGroup("security", _("Security of my account"))

WELCOME_FR = (
    "Bienvenue dans {{ organisation }}",
    "Bonjour{% if greeting_name %} {{ greeting_name }}{% endif %},\n\n"
    "Vous faites maintenant partie de {{ organisation }} ({{ role }}). "
    "Vous recevrez ici les nouvelles qui vous concernent\u00a0; vous choisissez "
    "comment sur la page de vos préférences."
    "{% if set_password_link %}\n\nPour vous connecter, choisissez d’abord votre mot de passe "
    "(lien valable {{ link_valid_days }}\u00a0jours, une seule fois)\u00a0:\n"
    "{{ set_password_link }}{% endif %}\n\n{{ link }}",
)
WELCOME_EN = (
    "Welcome to {{ organisation }}",
    "Hello{% if greeting_name %} {{ greeting_name }}{% endif %},\n\n"
    "You are now part of {{ organisation }} ({{ role }}). You will receive the news "
    "that concerns you here; choose how on your preferences page."
    "{% if set_password_link %}\n\nTo sign in, first choose your password "
    "(link valid for {{ link_valid_days }} days, once):\n"
    "{{ set_password_link }}{% endif %}\n\n{{ link }}",
)


def set_password_link(user):
    """A link to choose a first password (Django's reset tokens), for who has none yet.

    The message is in its organisation's delivery log, where that organisation's
    managers read it: someone who belongs to another organisation too gets no link
    (they choose a password through "forgotten password", whose log is nobody's).
    """
    if user.has_usable_password() or user.memberships.count() > 1:
        return ""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL + path


def welcome_context(membership, data):
    return {
        "member_name": str(membership.user),
        "greeting_name": membership.user.display_name,
        "role": membership.get_role_display(),
        "set_password_link": set_password_link(membership.user),
        "link_valid_days": settings.PASSWORD_RESET_TIMEOUT // (24 * 3600),
    }


register(
    EventType(
        code="accounts.member_joined",
        label=_("A person joins an organisation"),
        group=ACCOUNT,
        roles=[
            RecipientRole("member", _("The new member"), _member),
            RecipientRole(
                "organisation_managers", _("The organisation's managers"), _organisation_managers
            ),
        ],
        variables=[
            Variable("member_name", _("The new member's name"), "Alice Durand"),
            Variable("greeting_name", _("The new member's name, if they gave one"), "Alice"),
            Variable("role", _("Their role"), "Occupant"),
            Variable(
                "set_password_link",
                _("Link to choose a first password (empty if they have one)"),
                "https://relais.example/password/reset/MQ/abc/",
            ),
            Variable("link_valid_days", _("Days the password link is valid"), 3),
        ],
        context=welcome_context,
        link=lambda membership: reverse("notifications:preferences"),
        default_rules=[
            DefaultRule(
                key="accounts.member_joined/welcome",
                name=_("Welcome the new member"),
                roles=["member"],
                channels=["email", "inapp"],
                templates={
                    ("email", "fr"): WELCOME_FR,
                    ("inapp", "fr"): WELCOME_FR,
                    ("email", "en"): WELCOME_EN,
                    ("inapp", "en"): WELCOME_EN,
                },
            )
        ],
    )
)


RESET_FR = (
    "Réinitialisation de votre mot de passe Relais",
    "Bonjour{% if greeting_name %} {{ greeting_name }}{% endif %},\n\n"
    "Pour choisir un nouveau mot de passe, ouvrez ce lien (valable quelques jours, "
    "une seule fois)\u00a0:\n\n{{ reset_link }}\n\n"
    "Si vous n’avez rien demandé, ignorez ce message\u00a0: votre mot de passe ne change pas.",
)
RESET_EN = (
    "Reset your Relais password",
    "Hello{% if greeting_name %} {{ greeting_name }}{% endif %},\n\n"
    "To choose a new password, open this link (valid for a few days, once):\n\n"
    "{{ reset_link }}\n\n"
    "If you did not ask for it, ignore this message: your password does not change.",
)

register(
    EventType(
        code="accounts.password_reset",
        label=_("Password reset requested"),
        group=SECURITY,
        roles=[RecipientRole("user", _("The person"), lambda user, event: [user])],
        variables=[
            Variable("reset_link", _("Reset link"), "https://relais.example/reset/MQ/abc/"),
            Variable("greeting_name", _("The person's name, if they gave one"), "Alice"),
        ],
        context=lambda user, data: {
            "reset_link": data["reset_link"],
            "greeting_name": user.display_name,
        },
        mandatory=True,
        notify_actor=True,
        priority=Priority.HIGH,
        link=lambda user: "",
        default_rules=[
            DefaultRule(
                key="accounts.password_reset/email",
                name=_("Send the password reset link"),
                roles=["user"],
                channels=["email"],
                templates={("email", "fr"): RESET_FR, ("email", "en"): RESET_EN},
            )
        ],
    )
)
