"""What the console's tables share: a page of rows sorted by a column the reader picked
(``?sort=name&dir=desc&page=2``, only the columns a table names), links that keep the other
query parameters, and CSV files a spreadsheet opens as they are (UTF-8 with a BOM, ``,``
between cells, every cell defused against formula injection by ``api.csv_cells``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from litestar import Request, Response

from api.csv_cells import csv_cell

T = TypeVar("T")
PER_PAGE = 50


@dataclass(frozen=True, slots=True)
class TableView:
    """One table's reading: the sort column, its direction, the page, and the rows in all."""

    path: str
    sort: str
    descending: bool
    page: int
    per_page: int
    total: int
    keep: tuple[tuple[str, str], ...] = ()  # other query parameters (a search) links keep

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def url(self, **changes: Any) -> str:
        values = {"sort": self.sort, "dir": "desc" if self.descending else "asc", "page": 1}
        values.update(changes)
        return f"{self.path}?{urlencode([*self.keep, *values.items()])}"

    def sort_url(self, column: str) -> str:
        """The header's link: the same column turns around, another starts ascending."""
        flip = column == self.sort and not self.descending
        return self.url(sort=column, dir="desc" if flip else "asc")

    def aria_sort(self, column: str) -> str:
        if column != self.sort:
            return "none"
        return "descending" if self.descending else "ascending"


def table_view(
    request: Request[Any, Any, Any],
    path: str,
    columns: Iterable[str],
    default: str,
    total: int,
    *,
    descending: bool = False,
    per_page: int = PER_PAGE,
    keep: Sequence[str] = (),
) -> TableView:
    """The reading the query asks for; an unknown column or a page past the end falls back."""
    params = request.query_params
    sort = params.get("sort") or default
    if sort not in set(columns):
        sort = default
    direction = params.get("dir")
    desc = descending if direction not in ("asc", "desc") else direction == "desc"
    raw = params.get("page") or "1"
    page = int(raw) if raw.isdigit() and 0 < len(raw) < 7 else 1
    pages = max(1, -(-total // per_page))
    kept = tuple((name, params[name]) for name in keep if params.get(name))
    return TableView(path, sort, desc, min(max(page, 1), pages), per_page, total, kept)


def sorted_page(rows: Sequence[T], view: TableView, keys: dict[str, Callable[[T], Any]]) -> list[T]:
    """For tables read whole (a few hundred rows): sort here, then cut the page."""
    ordered = sorted(rows, key=keys[view.sort], reverse=view.descending)
    return ordered[view.offset : view.offset + view.per_page]


def csv_response(
    header: Sequence[str], rows: Iterable[Sequence[object]], filename: str
) -> Response[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    # The BOM lets spreadsheet software read the accents of French names as UTF-8.
    return Response(
        ("\ufeff" + buffer.getvalue()).encode(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
