"""What the workflow says when an action cannot happen. Views turn these into a
message and a 4xx status (never a 500); the admin shows them as messages."""

from django.utils.translation import gettext as _


class WorkflowError(Exception):
    status = 400

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []

    def __str__(self) -> str:
        if self.problems:
            return f"{self.message} {' '.join(self.problems)}"
        return self.message


class ActionNotAllowed(WorkflowError):
    """The user may not take this action on this object (role, scope, four-eyes)."""

    status = 403


class InvalidState(WorkflowError):
    """The object is not in a state where this action makes sense."""

    status = 409


class StaleObject(WorkflowError):
    """Someone else changed the object since it was loaded: reload and look again."""

    status = 409

    def __init__(self, message: str | None = None, problems: list[str] | None = None):
        super().__init__(
            message or _("Someone else changed this item meanwhile. Reload it and try again."),
            problems,
        )


class NotReady(WorkflowError):
    """The object is missing something the action needs (a channel, a future time…)."""


class InvalidInput(WorkflowError):
    """An argument of the action is missing or wrong (an empty comment…)."""
