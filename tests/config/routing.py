"""The URL resolver's routes, walked for the tests that try every one of them."""

import re

from django.urls import URLPattern, URLResolver, get_resolver


def routes(resolver=None, prefix="", namespace=""):
    """(name, route text, pattern) for every named route, namespaces joined with ':'."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        text = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from routes(entry, text, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", text, entry.pattern


def fill(route: str, *, number: str = "1", text: str = "x") -> str:
    """A path for `route` with every converter filled in."""
    route = re.sub(r"<id:\w+>", number, route)
    return "/" + re.sub(r"<(?:slug|str):\w+>", text, route)
