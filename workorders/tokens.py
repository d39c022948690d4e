"""The client's signed link to their order's status page (SPEC R-8, P-2): no login needed."""

import datetime

from django.urls import reverse

from core import tokens

ORDER_STATUS = "workorders.order-status"
# Long enough for a repair that waits on parts, short enough that an old email goes stale.
VALID_FOR = datetime.timedelta(days=365)


def read_token(token):
    """The work order id a token stands for; `signing.BadSignature` if forged, mangled or old."""
    return tokens.read_token(ORDER_STATUS, token, max_age=VALID_FOR)


def status_url(order):
    """The absolute link given to the client in every message about their order."""
    return tokens.signed_url("workorders:status", ORDER_STATUS, order.pk)


def status_path(order):
    """The same link without the site's address (the in-app message's link)."""
    return reverse("workorders:status", args=[tokens.make_token(ORDER_STATUS, order.pk)])
