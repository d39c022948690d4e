"""What people do with requests. The portal, the admin and the demo call these, and
nothing else changes a request: each change sends its signal, with who acted.

Two kinds of function: one with plain arguments for the portal (`submit`,
`comment`, `update`), and `save_<model>(instance, …)` for a form that built the
instance itself (the admin). The first calls the second, so both announce alike.
"""

from django.db import transaction
from django.db.models import Q

from accounts.models import BACK_OFFICE_ROLES, Membership
from requests_center import signals
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


def visible_attachments(user):
    """Files a person may download on the portal: those of the requests they see, except
    the files of internal notes, which only the organisation's managers get."""
    managed = Membership.objects.filter(user=user, role__in=BACK_OFFICE_ROLES).values(
        "organisation"
    )
    return Attachment.objects.filter(request__in=visible_requests(user)).filter(
        Q(comment=None) | Q(comment__is_internal=False) | Q(request__organisation__in=managed)
    )


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
    save_request(request, declarant)
    if attachment:
        save_attachment(Attachment(request=request, file=attachment, uploaded_by=declarant))
    return request


@transaction.atomic
def update(request, actor, **changes):
    """Assign (R-3) or change the status (R-6): one save, each change announced once."""
    for field, value in changes.items():
        setattr(request, field, value)
    return save_request(request, actor)


@transaction.atomic
def save_request(request, actor):
    """Save a request from any form: a new one reaches its managers (R-2), a new assignee
    is told (R-3), a new status reaches the declarant and followers (R-6)."""
    tracker = request.tracker
    created = request.pk is None
    assigned = not created and tracker.has_changed("assigned_to") and request.assigned_to_id
    status_changed = not created and tracker.has_changed("status")
    old_status = tracker.previous("status")
    request.save()
    if created:
        signals.request_created.send(sender=Request, request=request, actor=actor)
    if assigned:
        signals.request_assigned.send(sender=Request, request=request, actor=actor)
    if status_changed:
        signals.request_status_changed.send(
            sender=Request, request=request, actor=actor, old_status=old_status
        )
    return request


@transaction.atomic
def comment(request, author, body, *, internal=False, attachment=None):
    """A comment; public ones reach the participants (R-4), internal ones managers only."""
    note = save_comment(Comment(request=request, author=author, body=body, is_internal=internal))
    if attachment:
        save_attachment(
            Attachment(request=request, comment=note, file=attachment, uploaded_by=author)
        )
    return note


@transaction.atomic
def save_comment(note, actor=None):
    """Save a comment from any form; a new one is announced as from its author (R-4).

    A correction to one already sent is not announced again, but an internal note made
    public is news to the participants: it is announced as a new public comment, by
    `actor` (who published it). Refusing would leave a manager who ticked "internal" by
    mistake no way to share the note but to copy it.
    """
    created = note.pk is None
    published = not created and note.tracker.has_changed("is_internal") and not note.is_internal
    note.save()
    if created:
        signals.comment_added.send(
            sender=Comment, request=note.request, comment=note, actor=note.author
        )
    elif published:
        signals.comment_published.send(
            sender=Comment, request=note.request, comment=note, actor=actor or note.author
        )
    return note


def delete_comment(note):
    note.delete()


def save_attachment(attachment):
    """Save a file on a request or a comment: it goes with what it is attached to, unannounced."""
    attachment.save()
    return attachment


def delete_attachment(attachment):
    attachment.delete()


@transaction.atomic
def follow(request, user, *, actor=None):
    """`user` follows the request and is told so (R-5); `actor` added them (else themself)."""
    if request.followers.filter(pk=user.pk).exists():
        return
    request.followers.add(user)
    signals.follower_added.send(sender=Request, request=request, follower=user, actor=actor or user)


@transaction.atomic
def unfollow(request, user):
    request.followers.remove(user)


@transaction.atomic
def set_followers(request, followers, actor):
    """The followers a manager lists: the new ones are told (R-5), the others stop hearing."""
    wanted = {person.pk: person for person in followers}
    current = set(request.followers.values_list("pk", flat=True))
    for person in request.followers.exclude(pk__in=wanted):
        unfollow(request, person)
    for pk, person in wanted.items():
        if pk not in current:
            follow(request, person, actor=actor)
