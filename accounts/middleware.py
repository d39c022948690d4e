from django.conf import settings
from django.utils import translation


class UserLanguageMiddleware:
    """A logged-in person reads the portal in their own language (French unless they chose).

    Runs after LocaleMiddleware and authentication; a language picked with the
    switcher (its cookie) still wins, for this browser.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
        ):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)
