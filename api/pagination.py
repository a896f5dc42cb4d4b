"""Lists come a page at a time, by cursor: stable while posts are added, and bounded.
A page size that is not a whole number from 1 to MAX_PAGE_SIZE answers 400 rather than
being quietly replaced."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


class Cursor(CursorPagination):
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering = ("-created_at", "-pk")

    def get_page_size(self, request):
        asked = request.query_params.getlist(self.page_size_query_param)
        if not asked:
            return self.page_size
        try:
            size = int(asked[-1])
        except ValueError:
            size = 0
        if len(asked) > 1 or not 1 <= size <= MAX_PAGE_SIZE:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("A whole number from 1 to %(max)d.") % {"max": MAX_PAGE_SIZE}
                    ]
                }
            )
        return min(size, self.max_page_size)

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound:
            # Not a page that is gone: a cursor this API never gave.
            raise ValidationError(
                {self.cursor_query_param: [_("This cursor is not valid.")]}
            ) from None

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": MAX_PAGE_SIZE})
        return parameters


class PlanCursor(Cursor):
    ordering = ("-iso_year", "-iso_week", "-pk")


class ChannelCursor(Cursor):
    ordering = ("pk",)


class CampaignCursor(Cursor):
    ordering = ("pk",)
