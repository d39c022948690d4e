"""Push device registration for a logged-in user's app or browser (SPEC C-3).

JSON in, JSON out; the session's CSRF token goes in the X-CSRFToken header,
as Django's CSRF protection expects from JavaScript.

A token belongs to one app install. One still active for another person stays
theirs — else anyone who learnt it would get their pushes — until their app
unregisters it or FCM reports it dead; only then may another account take it.
The answer reads the same either way, so it tells no one whose a token is.
"""

import json

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.http import require_POST

from notifications.models import Device


def _payload(request):
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, RecursionError):  # not JSON, or nested past what the parser takes
        data = None
    if not isinstance(data, dict):
        return None, JsonResponse({"error": "The body must be a JSON object."}, status=400)
    token = data.get("token")
    token = token.strip() if isinstance(token, str) else ""
    if not token or len(token) > 512:
        return None, JsonResponse(
            {"error": "A token (a string of at most 512 characters) is required."}, status=400
        )
    return data | {"token": token}, None


@login_required
@require_POST
def register(request):
    data, error = _payload(request)
    if error:
        return error
    platform = data.get("platform", Device.Platform.WEB)
    if not isinstance(platform, str) or platform not in Device.Platform.values:
        return JsonResponse({"error": f"Unknown platform {platform!r:.40}."}, status=400)
    fields = {"platform": platform, "name": str(data.get("name", ""))[:100]}
    own = Device.objects.filter(token=data["token"], user=request.user)
    if own.update(active=True, deactivated_reason="", **fields):
        return JsonResponse({"active": True}, status=200)  # the caller's own, again
    # Someone else's active device keeps its owner; a dead or unregistered one changes hands.
    taken = Device.objects.filter(token=data["token"], active=False).update(
        user=request.user, active=True, deactivated_reason="", **fields
    )
    if not taken:
        Device.objects.get_or_create(token=data["token"], defaults={"user": request.user, **fields})
    return JsonResponse({"active": True}, status=201)


@login_required
@require_POST
def unregister(request):
    data, error = _payload(request)
    if error:
        return error
    count = Device.objects.filter(user=request.user, token=data["token"]).update(
        active=False, deactivated_reason="unregistered by the user"
    )
    return JsonResponse({"unregistered": count})
