"""The API's pages are the lists' keyset pages (``dashboard.keyset``): ``after``/``before`` a key, newest first.

One query per page at any depth, and no total count, exactly as on the list pages.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from dashboard import keyset

MAX_PAGE_SIZE = 200


class KeysetPagination(BasePagination):
    page_size_param = "size"

    def page_size(self, request) -> int:
        try:
            size = int(request.query_params.get(self.page_size_param, keyset.PAGE_SIZE))
        except ValueError:
            return keyset.PAGE_SIZE
        return min(max(size, 1), MAX_PAGE_SIZE)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page = keyset.paginate(queryset, request.query_params, per_page=self.page_size(request))
        return self.page.rows

    def _link(self, query: str) -> str | None:
        if not query:
            return None
        return self.request.build_absolute_uri(f"{self.request.path}?{query}")

    def get_paginated_response(self, data) -> Response:
        return Response(
            {
                "next": self._link(self.page.next_query),
                "previous": self._link(self.page.previous_query),
                "first_row": self.page.first,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["next", "previous", "first_row", "results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "first_row": {"type": "integer", "description": str(_("Number of the page's first row, from 1"))},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        def integer(name: str, description) -> dict:
            return {
                "name": name,
                "required": False,
                "in": "query",
                "description": str(description),
                "schema": {"type": "integer", "minimum": 1},
            }

        return [
            integer("after", _("Rows after (older than) this id: the next page")),
            integer("before", _("Rows before (newer than) this id: the previous page")),
            integer("n", _("Number of the page's first row, carried by the next and previous links")),
            {
                **integer(self.page_size_param, _("Rows per page")),
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]
