"""Occupant portal: my requests, a new request, one request with its public comments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Organisation
from core.files import private_file_response
from requests_center import services
from requests_center.forms import CommentForm, RequestForm


@login_required
def my_requests(request):
    requests = (
        services.visible_requests(request.user)
        .select_related("category", "site", "assigned_to")
        .order_by("-created_at")
    )
    return render(request, "requests_center/list.html", {"requests": requests})


@login_required
def new_request(request):
    organisations = Organisation.objects.filter(memberships__user=request.user)
    form = RequestForm(request.POST or None, request.FILES or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        created = services.submit(request.user, **form.cleaned_data)
        messages.success(request, _("Your request %(label)s is sent.") % {"label": created.label})
        return redirect(created)
    return render(request, "requests_center/new.html", {"form": form})


@login_required
def detail(request, pk):
    # Someone else's request is a 404, not a 403: its existence is nobody's business.
    shown = get_object_or_404(
        services.visible_requests(request.user).select_related("category", "site", "assigned_to"),
        pk=pk,
    )
    form = CommentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        services.comment(
            shown,
            request.user,
            form.cleaned_data["body"],
            attachment=form.cleaned_data["attachment"],
        )
        messages.success(request, _("Your comment is added."))
        return redirect(shown)
    return render(
        request,
        "requests_center/detail.html",
        {
            "req": shown,
            "comments": shown.comments.filter(is_internal=False)
            .select_related("author")
            .prefetch_related("attachments"),
            "attachments": shown.attachments.filter(comment=None),
            "following": shown.followers.filter(pk=request.user.pk).exists(),
            "form": form,
        },
    )


@login_required
@require_POST
def toggle_follow(request, pk):
    shown = get_object_or_404(services.visible_requests(request.user), pk=pk)
    if shown.followers.filter(pk=request.user.pk).exists():
        services.unfollow(shown, request.user)
    elif shown.declarant_id != request.user.pk:
        services.follow(shown, request.user)
    return redirect(shown)


@login_required
def attachment(request, pk, attachment_pk):
    # A file the person may not see is a 404, like the request it belongs to.
    shown = get_object_or_404(
        services.visible_attachments(request.user), request_id=pk, pk=attachment_pk
    )
    return private_file_response(shown.file, str(shown))
