"""Push device registration for a logged-in user's app or browser (SPEC C-3).

JSON in, JSON out; the session's CSRF token goes in the X-CSRFToken header,
as Django's CSRF protection expects from JavaScript.
"""

import json

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.http import require_POST

from notifications.models import Device


def _payload(request):
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return None, JsonResponse({"error": "The body must be JSON."}, status=400)
    token = str(data.get("token", "")).strip()
    if not token or len(token) > 512:
        return None, JsonResponse(
            {"error": "A token (at most 512 characters) is required."}, status=400
        )
    return data | {"token": token}, None


@login_required
@require_POST
def register(request):
    data, error = _payload(request)
    if error:
        return error
    platform = data.get("platform", Device.Platform.WEB)
    if platform not in Device.Platform.values:
        return JsonResponse({"error": f"Unknown platform {platform!r}."}, status=400)
    # A token belongs to one app install: if it changed hands, it follows the new user.
    device, created = Device.objects.update_or_create(
        token=data["token"],
        defaults={
            "user": request.user,
            "platform": platform,
            "name": str(data.get("name", ""))[:100],
            "active": True,
            "deactivated_reason": "",
        },
    )
    return JsonResponse({"id": device.pk, "active": True}, status=201 if created else 200)


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
