"""The portal home's section on visits: the next ones the person hosts or co-hosts."""

from django.db.models import Q
from django.utils import timezone

from visitors.models import Visit

SHOWN = 3


def section(user):
    upcoming = (
        Visit.objects.filter(Q(host=user) | Q(co_hosts=user), status=Visit.Status.PLANNED)
        .filter(end__gte=timezone.now())
        .distinct()
        .select_related("site")
        .order_by("start")
    )
    return {"next_visits": upcoming[:SHOWN]}
