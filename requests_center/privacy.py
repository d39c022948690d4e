"""A person's requests, exported and erased (SPEC P-5): declared, followed, commented."""

from django.db import transaction
from django.db.models import Q

from privacy.erasure import ERASED
from requests_center.models import Attachment, Category, Comment, Request


def export(archive):
    person = archive.person
    theirs = Request.objects.filter(Q(declarant=person) | Q(followers=person)).distinct()
    requests = []
    for request in theirs.select_related("site", "category", "declarant", "assigned_to"):
        requests.append(_request(request, archive))
    archive.add("requests", requests)
    written = Comment.objects.filter(author=person).exclude(request__in=theirs)
    archive.add_rows("comments_written", written, ["request_id", "body", "created_at"])


def _request(request, archive):
    person = archive.person
    comments = request.comments.select_related("author")
    if request.declarant_id != person.pk:  # managers' notes are theirs, shown to managers only
        comments = comments.filter(Q(is_internal=False) | Q(author=person))
    comments = list(comments)
    archive.others(request.declarant, request.assigned_to, *(c.author for c in comments))
    archive.others(*request.followers.all())
    return {
        "number": request.pk,
        "title": request.title,
        "description": request.description,
        "status": request.status,
        "resolution": request.resolution,
        "site": request.site.name,
        "category": request.category.name if request.category else "",
        "declared_by_them": request.declarant_id == person.pk,
        "created_at": request.created_at.isoformat(),
        "comments": [
            {"by_them": c.author_id == person.pk, "body": c.body, "at": c.created_at.isoformat()}
            for c in comments
        ],
        "attachments": [a.original_name for a in request.attachments.filter(uploaded_by=person)],
    }


def erase(erasure):
    person = erasure.person
    changed = 0
    declared = Request.objects.filter(declarant=person)
    for request in declared:
        changed += Request.objects.filter(pk=request.pk).update(
            title=erasure.scrub(request.title),
            description=ERASED,  # their own words about their home
            resolution=erasure.scrub(request.resolution),
        )
    for comment in Comment.objects.filter(request__in=declared).exclude(author=person):
        changed += Comment.objects.filter(pk=comment.pk).update(body=erasure.scrub(comment.body))
    changed += Comment.objects.filter(author=person).update(body=ERASED)
    for attachment in Attachment.objects.filter(uploaded_by=person):
        # The file goes once the erasure is committed: a rolled-back one keeps it.
        storage, name = attachment.file.storage, attachment.file.name
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
        attachment.delete()
        changed += 1
    for request in Request.objects.filter(followers=person):
        request.followers.remove(person)
        changed += 1
    for category in Category.objects.filter(managers=person):
        category.managers.remove(person)
    return changed
