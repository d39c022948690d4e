"""A person's visits, exported and erased (SPEC P-5): hosted, and those they were invited to."""

from django.db.models import Q

from privacy.archive import plain
from visitors.models import Visit, Visitor

VISIT_FIELDS = ["purpose", "start", "end", "status"]
VISITOR_FIELDS = ["name", "email", "phone", "company", "checked_in_at", "checked_out_at"]


def export(archive):
    person = archive.person
    hosted = Visit.objects.filter(Q(host=person) | Q(co_hosts=person)).distinct()
    visits = []
    for visit in hosted.select_related("site", "host").prefetch_related("visitors", "co_hosts"):
        archive.others(visit.host, *visit.co_hosts.all(), *visit.visitors.all())
        visits.append({**_visit(visit), "visitors": len(visit.visitors.all())})
    archive.add("visits_hosted", visits)
    invitations = []
    for visitor in _their_visitor_rows(archive).select_related("visit__site", "visit__host"):
        archive.also_reached_as(visitor.as_recipient().key)
        archive.others(visitor.visit.host, *visitor.visit.co_hosts.all())
        archive.others(*visitor.visit.visitors.exclude(pk=visitor.pk))
        row = {field: plain(getattr(visitor, field)) for field in VISITOR_FIELDS}
        invitations.append({**row, "visit": _visit(visitor.visit)})
    archive.add("visits_invited_to", invitations)


def erase(erasure):
    person = erasure.person
    changed = 0
    for visitor in _their_visitor_rows(erasure):
        erasure.also_reached_as(visitor.as_recipient().key)
        changed += Visitor.objects.filter(pk=visitor.pk).update(
            name="", email="", phone="", company=""
        )
    for visit in Visit.objects.filter(host=person):
        changed += Visit.objects.filter(pk=visit.pk).update(purpose=erasure.scrub(visit.purpose))
    for visit in Visit.objects.filter(co_hosts=person):
        visit.co_hosts.remove(person)
        changed += 1
    return changed


def _their_visitor_rows(subject):
    return Visitor.objects.filter(subject.contact_rows())


def _visit(visit):
    return {
        **{field: plain(getattr(visit, field)) for field in VISIT_FIELDS},
        "site": visit.site.name,
        "host": str(visit.host),
    }
