"""Who may export or erase a person (SPEC P-5)."""

from accounts.scoping import may_change_person


def may_export_or_erase(user, person):
    """A superuser, or a manager of every organisation the person belongs to (and of one at least).

    Half an archive is a leak of the other organisation's data to this one: never partial.
    """
    if user.is_superuser:
        return True
    return person.memberships.exists() and may_change_person(user, person)
