"""A date and time typed in the user's own zone, with the DST changes handled honestly.

In the spring an hour does not exist (Europe/Paris skips 02:00–03:00); in the autumn an
hour happens twice. A time in the gap is refused with a message saying so. A time in the
repeated hour is not guessed: the form asks which of the two is meant, and keeps what
was typed.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

INPUT_FORMAT = "%Y-%m-%dT%H:%M"


def exists(naive: dt.datetime, zone: dt.tzinfo) -> bool:
    """False for a wall-clock time the zone skips (spring DST change)."""
    aware = naive.replace(tzinfo=zone)
    back = aware.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
    return back == naive


def is_ambiguous(naive: dt.datetime, zone: dt.tzinfo) -> bool:
    """True for a wall-clock time the zone shows twice (autumn DST change)."""
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    return first.utcoffset() != second.utcoffset()


def _offset_label(aware: dt.datetime) -> str:
    minutes = int(aware.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


# The years a post's time may fall in: any plan fits, and no zone's arithmetic overflows
# (year 1 or 9999 would, east or west of UTC).
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def to_aware(naive: dt.datetime, zone: dt.tzinfo, fold: int | None = None) -> dt.datetime:
    """The moment a person meant by `naive` in `zone`, or a ValidationError saying why
    there is none (DST gap) or which they must choose (DST overlap)."""
    if not exists(naive, zone):
        raise ValidationError(
            _(
                "%(time)s does not exist in %(zone)s: the clocks go forward that night. "
                "Choose another time."
            ),
            code="nonexistent",
            params={"time": formats.date_format(naive, "DATETIME_FORMAT"), "zone": str(zone)},
        )
    if is_ambiguous(naive, zone) and fold is None:
        raise ValidationError(
            _(
                "%(time)s happens twice in %(zone)s: the clocks go back that night. "
                "Choose which one you mean."
            ),
            code="ambiguous",
            params={"time": formats.date_format(naive, "DATETIME_FORMAT"), "zone": str(zone)},
        )
    # In UTC: moments in a repeated hour never compare equal across zones (PEP 495).
    return naive.replace(tzinfo=zone, fold=fold or 0).astimezone(dt.UTC)


class LocalDateTimeWidget(forms.MultiWidget):
    """A datetime-local input, and the choice between the two occurrences of a
    repeated hour, shown only when the typed time falls in one."""

    template_name = "widgets/local_datetime.html"

    def __init__(self, attrs=None):
        super().__init__(
            [
                forms.DateTimeInput(attrs={"type": "datetime-local"}, format=INPUT_FORMAT),
                forms.RadioSelect(),
            ],
            attrs,
        )

    def decompress(self, value):
        if isinstance(value, dt.datetime):
            local = timezone.localtime(value) if timezone.is_aware(value) else value
            fold = (
                str(local.fold)
                if is_ambiguous(local.replace(tzinfo=None), timezone.get_current_timezone())
                else None
            )
            return [local.replace(tzinfo=None, fold=0), fold]
        return [None, None]

    def get_context(self, name, value, attrs):
        # A stored moment (the initial value) carries its own occurrence: decompressed
        # here too, so that saving it unchanged keeps it instead of asking again.
        if not isinstance(value, list | tuple):
            value = self.decompress(value)
        context = super().get_context(name, value, attrs)
        naive = parse_local(context["widget"]["subwidgets"][0]["value"])
        context["widget"]["fold_choices"] = fold_choices(naive, timezone.get_current_timezone())
        context["widget"]["fold_name"] = f"{name}_1"
        context["widget"]["fold_value"] = value[1] if len(value) > 1 and value[1] else ""
        return context


def fold_choices(naive: dt.datetime | None, zone: dt.tzinfo) -> list[tuple[str, str]]:
    """The two moments a repeated wall-clock time may mean, as (fold, label) for a person
    to choose from; none for any other time."""
    if naive is None or not exists(naive, zone) or not is_ambiguous(naive, zone):
        return []
    choices = []
    for fold in (0, 1):
        aware = naive.replace(tzinfo=zone, fold=fold)
        label = _("%(time)s %(offset)s (%(which)s)") % {
            "time": aware.strftime("%H:%M"),
            "offset": _offset_label(aware),
            "which": _("summer time") if aware.dst() else _("winter time"),
        }
        choices.append((str(fold), label))
    return choices


def parse_local(value) -> dt.datetime | None:
    """A wall-clock time as typed or dropped ("2026-03-29T10:30"), without a zone; None
    when it is not one, or falls outside the years a post may have."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if not value:
        return None
    for fmt in (INPUT_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            parsed = dt.datetime.strptime(str(value).strip(), fmt)
        except ValueError:
            continue
        return parsed if EARLIEST_YEAR <= parsed.year <= LATEST_YEAR else None
    return None


class LocalDateTimeField(forms.MultiValueField):
    """Cleans to an aware datetime in the current (the user's) time zone."""

    widget = LocalDateTimeWidget
    default_error_messages = {
        "invalid": _("Enter a date and time between 2000 and 2100, for example 2026-03-29 10:30."),
    }

    def __init__(self, **kwargs):
        fields = (
            forms.CharField(),
            forms.ChoiceField(choices=[("0", "0"), ("1", "1")], required=False),
        )
        super().__init__(fields=fields, require_all_fields=False, **kwargs)

    def compress(self, data_list):
        if not data_list or not data_list[0]:
            return None
        naive = parse_local(data_list[0])
        if naive is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        fold = int(data_list[1]) if len(data_list) > 1 and data_list[1] in ("0", "1") else None
        return to_aware(naive, timezone.get_current_timezone(), fold)

    def has_changed(self, initial, data):
        # Compare moments, not the two sub-values (the fold is usually absent).
        try:
            cleaned = self.clean(data)
        except ValidationError:
            return True
        return initial != cleaned


class PostTextField(forms.CharField):
    """A text that goes out on the networks. A browser sends each line break of a
    textarea as \\r\\n but shows and counts it as one \\n: stored as \\n, the server
    counts what the editor's counter counts, and a network gets one break, not two."""

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n").replace("\r", "\n")
