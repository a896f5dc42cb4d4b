"""`{% post_notices post %}`: who was notified of what on a post, for its page. A tag
rather than a line in the post view, so that editorial never imports notifications."""

from django import template

from notifications.models import Notification

register = template.Library()
SHOWN = 50


@register.inclusion_tag("notifications/post_notices.html")
def post_notices(post) -> dict:
    """Two queries whatever the number of notices: the notices with their recipients,
    then their deliveries."""
    notices = (
        Notification.objects.filter(post=post)
        .select_related("recipient")
        .prefetch_related("deliveries")
        .order_by("-created_at", "-pk")[:SHOWN]
    )
    return {"notices": notices}
