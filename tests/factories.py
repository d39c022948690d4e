"""Test data: factories, and the named people of the tests (Alice the occupant, Bob the manager)."""

import factory

from accounts.models import Membership, Organisation, Role, Site, User


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Organisation {n}")


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Site {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    display_name = factory.Faker("name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.OCCUPANT


def member(organisation, role=Role.OCCUPANT, **user_fields):
    """A user with `role` in `organisation`."""
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


class RuleFactory(factory.django.DjangoModelFactory):
    """A rule with French and English email + in-app templates for its channels."""

    class Meta:
        model = "notifications.Rule"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Rule {n}")
    event_code = "testapp.booked"
    roles = factory.LazyFunction(lambda: ["client"])
    channels = factory.LazyFunction(lambda: ["email"])

    @factory.post_generation
    def templates(rule, create, extracted, **kwargs):
        from notifications.models import MessageTemplate

        if not create:
            return
        texts = extracted or {
            "fr": ("Rendez-vous : {{ title }}", "Bonjour {{ recipient_name }}, le {{ start }}."),
            "en": ("Appointment: {{ title }}", "Hello {{ recipient_name }}, on {{ start }}."),
        }
        channels = set(rule.channels) | ({rule.fallback_channel} - {""})
        for channel in channels:
            for language, (subject, body) in texts.items():
                MessageTemplate.objects.create(
                    rule=rule, channel=channel, language=language, subject=subject, body=body
                )
