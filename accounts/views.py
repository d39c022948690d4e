from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views import i18n

from accounts.scoping import is_back_office_user


@login_required
def home(request):
    """The portal's front page: where an occupant starts."""
    return render(
        request,
        "accounts/home.html",
        {
            "memberships": request.user.memberships.select_related("organisation"),
            "is_back_office_user": is_back_office_user(request.user),
        },
    )


def set_language(request):
    """Django's language switch, remembered on the person too: their messages follow."""
    response = i18n.set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response
