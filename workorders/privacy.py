"""A client's work orders and leads, exported and erased (SPEC P-5).

A client is theirs when it is linked to their account, or has their email address or number.
"""

from django.db.models import Q

from privacy.archive import plain
from workorders.models import Client, Lead, WorkOrder

CLIENT_FIELDS = ["name", "email", "phone", "language", "accepts_email", "accepts_sms"]
ORDER_FIELDS = ["asset", "serial_number", "malfunction", "work_done", "created_at"]


def export(archive):
    clients = []
    for client in _their_clients(archive).select_related("organisation"):
        archive.also_reached_as(f"workorders.client:{client.pk}")
        orders = client.work_orders.select_related("status", "manager", "specialist")
        leads = client.leads.select_related("responsible")
        archive.others(*(person for o in orders for person in (o.manager, o.specialist)))
        archive.others(*(lead.responsible for lead in leads))
        clients.append(
            {
                **{field: str(getattr(client, field) or "") for field in CLIENT_FIELDS[:4]},
                "accepts_email": client.accepts_email,
                "accepts_sms": client.accepts_sms,
                "organisation": client.organisation.name,
                "work_orders": [
                    {
                        **{field: plain(getattr(order, field)) for field in ORDER_FIELDS},
                        "number": order.pk,
                        "status": order.status.name,
                    }
                    for order in orders
                ],
                "leads": [
                    {
                        "interest": lead.interest,
                        "status": lead.status,
                        "at": plain(lead.created_at),
                    }
                    for lead in leads
                ],
            }
        )
    archive.add("work_orders", clients)


def erase(erasure):
    changed = 0
    for client in _their_clients(erasure):
        erasure.also_reached_as(f"workorders.client:{client.pk}")
        for order in WorkOrder.objects.filter(client=client):
            changed += WorkOrder.objects.filter(pk=order.pk).update(
                malfunction=erasure.scrub(order.malfunction),
                work_done=erasure.scrub(order.work_done),
            )
        for lead in Lead.objects.filter(client=client):
            changed += Lead.objects.filter(pk=lead.pk).update(interest=erasure.scrub(lead.interest))
        changed += Client.objects.filter(pk=client.pk).update(
            name="", email="", phone="", user=None, accepts_email=False, accepts_sms=False
        )
    return changed


def _their_clients(subject):
    return Client.objects.filter(Q(user=subject.person) | subject.contact_rows())
