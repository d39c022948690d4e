from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views import i18n

from accounts import throttling
from accounts.forms import EngineResetForm
from accounts.portal_home import sections as home_sections
from accounts.scoping import is_back_office_user
from notifications import inbox


@login_required
def home(request):
    """The portal's front page: what the person has to read, follow or expect, and where
    to go from there."""
    unread = inbox.messages_for(request.user).filter(read_at=None)
    return render(
        request,
        "accounts/home.html",
        {
            "memberships": request.user.memberships.select_related("organisation"),
            "is_back_office_user": is_back_office_user(request.user),
            "unread_messages": unread[:3],
            "sections": home_sections(request.user),
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


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, limited per client address and per account typed."""

    form_class = EngineResetForm

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        until = throttling.reset_blocked_until(self.request, email)
        if until is not None:
            form.add_error("email", throttling.retry_message(until))
            return throttling.too_many(self.form_invalid(form), until)
        throttling.record_reset_request(self.request, email)
        return super().form_valid(form)
