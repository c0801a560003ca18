"""What the generated scope tests share: a list of wrong answers, and walking a scoped
list's pages, each object once."""

import io
import random
from collections import Counter

from django.conf import settings
from django.test import Client
from openpyxl import load_workbook

from tests.accounts.scope_world import World

# What a search box gets, and the same without accents or case.
SEARCHES = [("văn", "van"), ("THỊ LAN", "thi lan"), ("Lê Văn Hòa", "le van hoa")]


class Findings(list):
    """Every wrong answer of a test, one line each."""

    def check(self, label: str, got, expected) -> bool:
        if got != expected:
            self.append(f"{label}: got {_sorted(got)}, expected {_sorted(expected)}")
        return got == expected

    def once(self, label: str, items: list) -> None:
        repeated = sorted(str(k) for k, n in Counter(items).items() if n > 1)
        if repeated:
            self.append(f"{label}: listed more than once: {repeated}")

    def report(self, world: World) -> str:
        return f"seed {world.seed}: {len(self)} wrong\n  " + "\n  ".join(self[:60])


def _sorted(value):
    return sorted(value, key=str) if isinstance(value, set) else value


def client_of(world: World, key: str) -> Client:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[key]
    return client


def coordinators(world: World):
    return [v for v in world.viewers.values() if v.coordinator]


def pick(items, n: int, *salt) -> list:
    """`n` of `items`, the same ones on every run."""
    items = sorted(items)
    return random.Random(":".join(map(str, salt))).sample(items, min(n, len(items)))


def answer(found: Findings, label: str, client: Client, url: str, params=None, method="get"):
    """The response, or None after noting a 500 (the test client re-raises a view's error)."""
    try:
        return getattr(client, method)(url, params or {})
    except Exception as error:  # noqa: BLE001 — whatever it is, a person would see a 500
        found.append(f"{label}: 500 ({type(error).__name__}: {error})")
        return None


def status(found: Findings, label: str, response, expected: int) -> bool:
    return response is not None and found.check(f"{label} status", response.status_code, expected)


def every_page(found: Findings, label: str, client: Client, url: str, params: dict):
    """(every page's objects in order, page 1's response), or (None, None) after a wrong
    answer."""
    first = answer(found, label, client, url, params)
    if not status(found, label, first, 200):
        return None, None
    paginator = first.context["page"].paginator
    items = list(first.context["page"].object_list)
    for number in range(2, paginator.num_pages + 1):
        more = answer(found, f"{label} page {number}", client, url, {**params, "page": number})
        if not status(found, f"{label} page {number}", more, 200):
            return None, None
        items += list(more.context["page"].object_list)
    found.check(f"{label} count", paginator.count, len(items))
    return items, first


def listed(
    found: Findings,
    label: str,
    client: Client,
    url: str,
    params: dict,
    expected,
    *,
    key=lambda row: row.pk,
):
    """Walk every page of a list: each object once, and the `key`s of all of them exactly
    `expected`. Returns what every_page does."""
    items, first = every_page(found, label, client, url, params)
    if items is not None:
        found.once(label, [row.pk for row in items])
        found.check(label, {key(row) for row in items}, expected)
    return items, first


def sheet_rows(content: bytes, title: str | None = None) -> list[tuple]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    sheet = book[title] if title else book.active
    return list(sheet.iter_rows(min_row=2, values_only=True))


def sheet_columns(content: bytes, title: str, *headers: str) -> list[tuple]:
    """The columns named `headers` of every row, found by their header wherever they are."""
    rows = load_workbook(io.BytesIO(content), read_only=True)[title].iter_rows(values_only=True)
    first = list(next(rows))
    where = [first.index(header) for header in headers]
    return [tuple(row[i] for i in where) for row in rows]
