from django.contrib.auth.decorators import login_required
from django.shortcuts import render

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
