"""`{{ value|stored_message }}`: a stored hold reason, publication error or audit note
in the reader's language (see `editorial.messages`)."""

from django import template

from editorial.messages import render

register = template.Library()


@register.filter
def stored_message(value) -> str:
    """Escaped like any text by the template: network errors quote what they received."""
    return render(value)
