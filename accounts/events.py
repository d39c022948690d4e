"""Events of accounts: a person joins an organisation."""

from django.urls import reverse
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
    "Bonjour {{ recipient_name }},\n\n"
    "Vous faites maintenant partie de {{ organisation }} ({{ role }}). "
    "Vous recevrez ici les nouvelles qui vous concernent ; vous choisissez "
    "comment sur la page de vos préférences.\n\n{{ link }}",
)
WELCOME_EN = (
    "Welcome to {{ organisation }}",
    "Hello {{ recipient_name }},\n\n"
    "You are now part of {{ organisation }} ({{ role }}). You will receive the news "
    "that concerns you here; choose how on your preferences page.\n\n{{ link }}",
)

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
            Variable("role", _("Their role"), "Occupant"),
        ],
        context=lambda membership, data: {
            "member_name": str(membership.user),
            "role": membership.get_role_display(),
        },
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
    "Bonjour {{ recipient_name }},\n\n"
    "Pour choisir un nouveau mot de passe, ouvrez ce lien (valable quelques jours, "
    "une seule fois) :\n\n{{ reset_link }}\n\n"
    "Si vous n'avez rien demandé, ignorez ce message : votre mot de passe ne change pas.",
)
RESET_EN = (
    "Reset your Relais password",
    "Hello {{ recipient_name }},\n\n"
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
        variables=[Variable("reset_link", _("Reset link"), "https://relais.example/reset/MQ/abc/")],
        context=lambda user, data: {"reset_link": data["reset_link"]},
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
