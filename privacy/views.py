"""The portal's "Download my data" (SPEC P-5): the logged-in person's own archive."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import ratelimit
from privacy.archive import zipped

# Each archive reads every app's tables: a few a day are plenty, and bound the cost.
EXPORT_LIMIT = ratelimit.Limit(attempts=3, window_seconds=3600)


def archive_response(person):
    """The person's archive, as a file to download (never cached on the way)."""
    response = HttpResponse(zipped(person), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="relais-data-{person.pk}.zip"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def download(request):
    key = f"privacy-export:{request.user.pk}"
    if ratelimit.is_blocked(key, EXPORT_LIMIT):
        messages.error(request, _("You downloaded your data several times: try again in an hour."))
        return redirect("notifications:preferences")
    ratelimit.record(key, EXPORT_LIMIT)
    return archive_response(request.user)
