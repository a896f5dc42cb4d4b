"""Lists come a page at a time, by cursor: stable while posts are added, and bounded."""

from rest_framework.pagination import CursorPagination

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


class Cursor(CursorPagination):
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering = ("-created_at", "-pk")


class PlanCursor(Cursor):
    ordering = ("-iso_year", "-iso_week", "-pk")


class ChannelCursor(Cursor):
    ordering = ("pk",)
