from django.dispatch import Signal

# Sent once per workflow action, after its transaction commits, with:
# instance, actor (None for the system), action, from_state, to_state, comment.
# Notifications (in-app, e-mail) hook onto this.
workflow_action = Signal()
