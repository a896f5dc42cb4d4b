import logging
import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("cadence")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
@signals.beat_init.connect
def _require_secret_key(**kwargs) -> None:
    from config.startup import require_secret_key

    require_secret_key()


@signals.worker_ready.connect
def _start_worker_heartbeat(sender=None, **kwargs) -> None:
    """Each worker says it is alive on its own (see editorial.liveness)."""
    from editorial.liveness import start_worker_heartbeat

    start_worker_heartbeat(getattr(sender, "hostname", None) or "worker")


@signals.worker_ready.connect
def _start_publication_keeper(sender=None, **kwargs) -> None:
    """The worker's hold on the publications it works on (editorial.publishing.keeper)."""
    from editorial.publishing.keeper import keeper

    keeper.start()


class OncePerOutage(logging.Filter):
    """The worker's consumer logs "Cannot connect to …: Trying again" at each attempt of
    a reconnection: let the first through, drop the others until it is connected again
    ("Connected to …", which it logs itself)."""

    def __init__(self) -> None:
        super().__init__()
        self.reported = False

    def filter(self, record: logging.LogRecord) -> bool:
        text = str(record.msg)
        if text.startswith(("Connected to", "consumer: Connection to broker lost")):
            self.reported = False
        elif text.startswith("consumer: Cannot connect to"):
            if self.reported:
                return False
            self.reported = True
        return True


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def _log_context_and_redaction(logger=None, **kwargs) -> None:
    """Celery sets up the worker's and beat's handlers itself: give them the project's
    context and redaction filters, and the JSON lines in production (config/logging.py)."""
    from django.conf import settings

    from config.logging import ContextFilter, RedactFilter, json_formatter

    for handler in logger.handlers:
        if any(isinstance(f, ContextFilter) for f in handler.filters):
            continue  # the root's handler, met again through the task logger
        handler.addFilter(ContextFilter())
        handler.addFilter(RedactFilter())
        if settings.CADENCE_LOG_FORMAT == "json":
            handler.setFormatter(json_formatter())


@signals.task_prerun.connect
def _bind_task(**kwargs) -> None:
    from config.logging import bind_task

    bind_task(**kwargs)


@signals.task_postrun.connect
def _unbind_task(**kwargs) -> None:
    from config.logging import unbind_task

    unbind_task(**kwargs)


_once = OncePerOutage()
for _name in ("celery.worker.consumer.consumer", "celery.worker.consumer.connection"):
    logging.getLogger(_name).addFilter(_once)
