"""The portal home's section on requests: the person's open ones."""

from requests_center import services
from requests_center.models import Request

SHOWN = 5


def section(user):
    open_requests = (
        services.visible_requests(user)
        .filter(status__in=[Request.Status.OPEN, Request.Status.IN_PROGRESS], declarant=user)
        .select_related("category", "site")
        .order_by("-updated_at")
    )
    return {"open_requests": open_requests[:SHOWN], "open_count": open_requests.count()}
