"""A person to alert, exported and erased (SPEC P-5): found by their email address or number.

An occupant is one person; once any of their contact points is the person's, the
occupant is theirs: the name, every contact point, and the contracts they are told about.
"""

from alerts.models import ContactPoint, Contract, Occupant


def export(archive):
    occupants = []
    for occupant in _their_occupants(archive).select_related("company"):
        archive.also_reached_as(occupant.recipient_key)
        contracts = list(occupant.contracts.all())
        archive.others(*(contract.holder for contract in contracts))
        occupants.append(
            {
                "name": occupant.name,
                "company": occupant.company.name,
                "language": occupant.language,
                "contact_points": [
                    {"method": point.method, "address": point.address}
                    for point in occupant.contact_points.all()
                ],
                "contracts": [
                    {"number": c.number, "holder": c.holder, "address": c.address, "city": c.city}
                    for c in contracts
                ],
            }
        )
    archive.add("alerts", occupants)


def erase(erasure):
    changed = 0
    for occupant in _their_occupants(erasure):
        erasure.also_reached_as(occupant.recipient_key)
        for contract in occupant.contracts.all():
            changed += Contract.objects.filter(pk=contract.pk).update(
                holder=erasure.scrub(contract.holder)
            )
        changed += occupant.contact_points.all().delete()[0]
        changed += Occupant.objects.filter(pk=occupant.pk).update(name="")
    return changed


def _their_occupants(subject):
    points = ContactPoint.objects.filter(subject.contact_rows("address", "address"))
    return Occupant.objects.filter(pk__in=points.values("occupant_id"))
