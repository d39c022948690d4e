"""What happens to requests, who hears of it, and what the messages say (SPEC R-2 … R-6)."""

from django.utils.translation import gettext_lazy as _

from notifications.events import (
    DefaultRule,
    EventGroup,
    EventType,
    Priority,
    RecipientRole,
    Variable,
    register,
)
from requests_center.models import Comment, Request

REQUESTS = EventGroup("requests", _("My requests"))
REQUEST_DESK = EventGroup("request_desk", _("Requests I handle"), staff_only=True)


# Who: each resolver takes the request and the event, and returns users.


def request_managers(request, event):
    """The category's managers and the assignee; else the site's default manager (R-2)."""
    people = list(request.category.managers.filter(is_active=True)) if request.category else []
    if request.assigned_to and request.assigned_to not in people:
        people.append(request.assigned_to)
    if not people and request.site.default_manager:
        people.append(request.site.default_manager)
    return people


def assigned_manager(request, event):
    return [request.assigned_to] if request.assigned_to else []


def declarant(request, event):
    return [request.declarant]


def followers(request, event):
    return request.followers.filter(is_active=True)


def new_follower(request, event):
    return request.followers.filter(pk=event.data.get("follower_id"))


ROLES = {
    role.code: role
    for role in [
        RecipientRole(
            "request_managers",
            _("Category managers, else the site's default manager"),
            request_managers,
        ),
        RecipientRole("assigned_manager", _("Assigned manager"), assigned_manager),
        RecipientRole("declarant", _("Declarant"), declarant),
        RecipientRole("followers", _("Followers"), followers),
        RecipientRole("new_follower", _("The new follower"), new_follower),
    ]
}

# What: template variables, with the example values previews use.

VARIABLES = [
    Variable("number", _("Request number"), 123),
    Variable("title", _("Title"), "Fuite d'eau au 3e étage"),
    Variable("description", _("Description"), "L'eau coule sous l'évier depuis ce matin."),
    Variable("category", _("Category"), "Plomberie"),
    Variable("site", _("Site"), "Bâtiment A"),
    Variable("status", _("Status"), "En cours"),
    Variable(
        "status_code", _("Status code (open, in_progress, resolved, archived)"), "in_progress"
    ),
    Variable("declarant_name", _("Declarant's name"), "Alice Durand"),
    Variable("manager_name", _("Assigned manager's name"), "Bob Martin"),
    Variable("resolution", _("Resolution details"), "Le joint a été remplacé."),
]
COMMENT_VARIABLES = [
    Variable("comment", _("Comment"), "Le plombier passe demain à 9 h."),
    Variable("comment_author", _("Comment author"), "Bob Martin"),
]
STATUS_VARIABLES = [Variable("old_status", _("Previous status"), "Ouvert")]


def request_context(request, data):
    return {
        "number": request.number,
        "title": request.title,
        "description": request.description,
        "category": request.category.name if request.category else str(_("Other")),
        "site": request.site.name,
        "status": Request.Status(request.status).label,
        "status_code": request.status,
        "declarant_name": str(request.declarant),
        "manager_name": str(request.assigned_to or ""),
        "resolution": request.resolution,
    }


def comment_context(request, data):
    comment = Comment.objects.select_related("author").filter(pk=data.get("comment_id")).first()
    return request_context(request, data) | {
        "comment": comment.body if comment else "",
        "comment_author": str(comment.author) if comment else "",
    }


def status_context(request, data):
    old = data.get("old_status")
    return request_context(request, data) | {
        "old_status": Request.Status(old).label if old in Request.Status.values else "",
    }


def request_event(
    code, label, group, roles, variables=VARIABLES, context=request_context, **options
):
    """Register a request event, reaching only the `roles` named; each links to the request."""
    return register(
        EventType(
            code=code,
            label=label,
            group=group,
            roles=[ROLES[role] for role in roles],
            variables=variables,
            context=context,
            **options,
        )
    )


def rule(key, name, roles, channels, fr, en):
    """A shipped rule with its French and English wording for each channel."""
    templates = {}
    for channel in channels:
        templates[(channel, "fr")] = fr
        templates[(channel, "en")] = en
    return DefaultRule(key=key, name=name, roles=roles, channels=channels, templates=templates)


request_event(
    "requests.created",
    _("New request"),
    REQUEST_DESK,
    roles=["request_managers", "assigned_manager", "declarant"],
    priority=Priority.HIGH,
    default_rules=[
        rule(
            "requests.created/managers",
            _("Tell the managers about a new request"),
            ["request_managers"],
            ["push", "email"],
            fr=(
                "Vous avez reçu une nouvelle demande (ID {{ number }})",
                "{{ declarant_name }} a déposé la demande «\u00a0{{ title }}\u00a0» "
                "({{ category }}, {{ site }}).\n\n{{ description }}\n\n{{ link }}",
            ),
            en=(
                "You have received a new request (ID {{ number }})",
                "{{ declarant_name }} submitted “{{ title }}” ({{ category }}, {{ site }})."
                "\n\n{{ description }}\n\n{{ link }}",
            ),
        )
    ],
)

request_event(
    "requests.assigned",
    _("Request assigned"),
    REQUESTS,
    roles=["assigned_manager", "declarant", "followers", "request_managers"],
    priority=Priority.HIGH,
    default_rules=[
        rule(
            "requests.assigned/manager",
            _("Tell the manager a request is theirs"),
            ["assigned_manager"],
            ["push", "email"],
            fr=(
                "La demande ID {{ number }} vous est attribuée",
                "«\u00a0{{ title }}\u00a0» ({{ category }}, {{ site }}), "
                "déposée par {{ declarant_name }}."
                "\n\n{{ description }}\n\n{{ link }}",
            ),
            en=(
                "Request ID {{ number }} is now yours",
                "“{{ title }}” ({{ category }}, {{ site }}), from {{ declarant_name }}."
                "\n\n{{ description }}\n\n{{ link }}",
            ),
        ),
        rule(
            "requests.assigned/declarant",
            _("Tell the declarant who handles their request"),
            ["declarant"],
            ["email", "inapp"],
            fr=(
                "Votre demande ID {{ number }} est prise en charge",
                "Bonjour {{ recipient_name }},\n\n{{ manager_name }} s’occupe de votre demande "
                "«\u00a0{{ title }}\u00a0».\n\n{{ link }}",
            ),
            en=(
                "Your request ID {{ number }} is being handled",
                "Hello {{ recipient_name }},\n\n{{ manager_name }} is handling your request "
                "“{{ title }}”.\n\n{{ link }}",
            ),
        ),
    ],
)

request_event(
    "requests.commented",
    _("Public comment on a request"),
    REQUESTS,
    roles=["declarant", "assigned_manager", "followers", "request_managers"],
    variables=VARIABLES + COMMENT_VARIABLES,
    context=comment_context,
    default_rules=[
        rule(
            "requests.commented/participants",
            _("Tell the declarant, the manager and the followers about a comment"),
            ["declarant", "assigned_manager", "followers"],
            ["email", "inapp"],
            fr=(
                "Nouveau commentaire sur la demande ID {{ number }}",
                "{{ comment_author }} a écrit sur «\u00a0{{ title }}\u00a0»\u00a0:"
                "\n\n{{ comment }}\n\n{{ link }}",
            ),
            en=(
                "New comment on request ID {{ number }}",
                "{{ comment_author }} wrote on “{{ title }}”:\n\n{{ comment }}\n\n{{ link }}",
            ),
        )
    ],
)

request_event(
    "requests.internal_comment",
    _("Internal note on a request"),
    REQUEST_DESK,
    roles=["request_managers", "assigned_manager"],  # managers only: never the declarant
    variables=VARIABLES + COMMENT_VARIABLES,
    context=comment_context,
    default_rules=[
        rule(
            "requests.internal_comment/managers",
            _("Tell the managers about an internal note"),
            ["request_managers"],
            ["email"],
            fr=(
                "Note interne sur la demande ID {{ number }}",
                "{{ comment_author }} (note interne) sur «\u00a0{{ title }}\u00a0»\u00a0:"
                "\n\n{{ comment }}\n\n{{ link }}",
            ),
            en=(
                "Internal note on request ID {{ number }}",
                "{{ comment_author }} (internal note) on “{{ title }}”:"
                "\n\n{{ comment }}\n\n{{ link }}",
            ),
        )
    ],
)

request_event(
    "requests.follower_added",
    _("Follower added to a request"),
    REQUESTS,
    roles=["new_follower", "assigned_manager", "request_managers"],
    default_rules=[
        rule(
            "requests.follower_added/follower",
            _("Tell the new follower"),
            ["new_follower"],
            ["email", "inapp"],
            fr=(
                "Vous suivez la demande ID {{ number }}",
                "Vous recevrez désormais les nouvelles de «\u00a0{{ title }}\u00a0» ({{ status }})."
                "\n\n{{ link }}",
            ),
            en=(
                "You follow request ID {{ number }}",
                "You will hear how “{{ title }}” progresses ({{ status }}).\n\n{{ link }}",
            ),
        )
    ],
)

request_event(
    "requests.status_changed",
    _("Request status changed"),
    REQUESTS,
    roles=["declarant", "followers", "assigned_manager", "request_managers"],
    variables=VARIABLES + STATUS_VARIABLES,
    context=status_context,
    default_rules=[
        rule(
            "requests.status_changed/declarant_followers",
            _("Tell the declarant and the followers about the new status"),
            ["declarant", "followers"],
            ["email", "inapp"],
            fr=(
                "Demande ID {{ number }}\u00a0: {{ status }}",
                "«\u00a0{{ title }}\u00a0»\u00a0: de «\u00a0{{ old_status }}\u00a0» "
                "à «\u00a0{{ status }}\u00a0»."
                "{% if status_code == 'resolved' and resolution %}"
                "\n\nRésolution\u00a0: {{ resolution }}"
                "{% endif %}\n\n{{ link }}",
            ),
            en=(
                "Request ID {{ number }}: {{ status }}",
                "“{{ title }}” went from “{{ old_status }}” to “{{ status }}”."
                "{% if status_code == 'resolved' and resolution %}\n\nResolution: {{ resolution }}"
                "{% endif %}\n\n{{ link }}",
            ),
        )
    ],
)
