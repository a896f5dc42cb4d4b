"""The post and plan state machines as a text table, read from the transitions themselves.

README.md embeds the output; a test keeps the two in step.
"""

from django_fsm import FSMField

from editorial.models import Post, WeeklyPlan
from editorial.workflow.core import PLAN_TRANSITIONS, POST_TRANSITIONS

# Transitions that another workflow action takes along the way.
_BY_OTHER_ACTIONS = {
    "revert_to_draft": "edit (content)",
    "back_to_signoff": "mark_sensitive, reschedule",
    "lift_signoff": "lift_sensitivity",
}


def render(model, actions: tuple[str, ...]) -> str:
    field = next(f for f in model._meta.fields if isinstance(f, FSMField))
    names = {action: action for action in actions} | _BY_OTHER_ACTIONS
    grouped: dict[tuple[str, str], list[str]] = {}
    for transition in field.get_all_transitions(model):
        targets = getattr(transition.target, "allowed_states", None) or [transition.target]
        action = names.get(transition.name, f"{transition.name} (publisher)")
        key = (action, " or ".join(map(str, targets)))
        grouped.setdefault(key, []).append(str(transition.source))
    order = [value for value, _label in field.choices]
    width = max(len(action) for action, _ in grouped)
    lines = [
        f"{action:<{width}}  {', '.join(sorted(sources, key=order.index))} -> {target}"
        for (action, target), sources in sorted(
            grouped.items(), key=lambda item: (min(map(order.index, item[1])), item[0][0])
        )
    ]
    return "\n".join(lines)


def render_all() -> str:
    return (
        "Post\n"
        + render(Post, POST_TRANSITIONS)
        + "\n\nWeekly plan\n"
        + render(WeeklyPlan, PLAN_TRANSITIONS)
    )
