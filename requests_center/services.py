"""What people do with requests. Views and the admin call these; signals announce them."""

from django.db import transaction
from django.db.models import Q

from accounts.models import BACK_OFFICE_ROLES, Membership
from requests_center.models import Attachment, Comment, Request


def visible_requests(user):
    """Requests a person may open on the portal: their own and those they follow (R-7),
    and, for managers, every request of the organisations they manage."""
    managed = Membership.objects.filter(user=user, role__in=BACK_OFFICE_ROLES).values(
        "organisation"
    )
    return Request.objects.filter(
        Q(declarant=user) | Q(followers=user) | Q(organisation__in=managed)
    ).distinct()


@transaction.atomic
def submit(declarant, *, site, category, title, description, attachment=None):
    """An occupant's new request (R-1); its managers are told (R-2)."""
    request = Request(
        organisation=site.organisation,
        site=site,
        category=category,
        declarant=declarant,
        title=title,
        description=description,
    )
    request.actor = declarant
    request.save()
    if attachment:
        Attachment.objects.create(request=request, file=attachment, uploaded_by=declarant)
    return request


@transaction.atomic
def comment(request, author, body, *, internal=False, attachment=None):
    """A comment; public ones reach the participants (R-4), internal ones managers only."""
    note = Comment.objects.create(request=request, author=author, body=body, is_internal=internal)
    if attachment:
        Attachment.objects.create(
            request=request, comment=note, file=attachment, uploaded_by=author
        )
    return note


@transaction.atomic
def follow(request, user, *, actor=None):
    request.actor = actor or user
    request.followers.add(user)


@transaction.atomic
def unfollow(request, user):
    request.followers.remove(user)


@transaction.atomic
def update(request, actor, **changes):
    """Assign (R-3) or change the status (R-6): one save, each change announced once."""
    for field, value in changes.items():
        setattr(request, field, value)
    request.actor = actor
    request.save()
    return request
