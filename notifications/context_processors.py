from notifications.inbox import unread_count


def inbox(request):
    """The unread count shown beside "Messages" on every portal page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_count": unread_count(user)}
