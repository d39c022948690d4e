import zoneinfo

from django.conf import settings
from django.utils import timezone, translation


class UserLocaleMiddleware:
    """A logged-in person reads every page (portal and back office) in their own language
    and time zone: the one place where both are chosen, so no page can forget it.

    Runs after LocaleMiddleware and authentication; a language picked with the
    switcher (its cookie) still wins, for this browser. Anyone else reads the
    default zone (a page about one visit may still show that visit's own zone).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            timezone.activate(_zone(user))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()  # a thread serves the next request with no one's zone


def _zone(user):
    try:
        return zoneinfo.ZoneInfo(str(user.time_zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)
