"""The Content-Security-Policy and Permissions-Policy headers: on every response, whatever
its kind, and no template that the policy would break (inline script, handler, style)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from courses.models import Course
from demo.management.commands.seed_demo import DEMO_PASSWORD, STAFF

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' https:",
    "frame-src": "'none'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def directives(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def assert_policies(response, where: str = "") -> None:
    policy = directives(response)
    for name, value in POLICY.items():
        assert policy[name] == value, (where, name, policy[name])
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"], where
    assert "camera=(self)" in response.headers["Permissions-Policy"], where
    assert "microphone=()" in response.headers["Permissions-Policy"], where


def test_connect_src_names_this_hosts_websockets_and_no_other(client):
    assert directives(client.get("/"))["connect-src"] == "'self' ws://testserver"
    secure = client.get("/", secure=True, HTTP_HOST="localhost")
    assert directives(secure)["connect-src"] == "'self' wss://localhost"


def _plain_paths(resolver: URLResolver = None, prefix: str = ""):
    """Every route of the site that takes no argument, as a path."""
    for entry in (resolver or get_resolver()).url_patterns:
        route = str(entry.pattern)
        if "<" in route or "(?P" in route or "\\" in route:
            continue
        path = prefix + route.lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            yield from _plain_paths(entry, path)
        elif isinstance(entry, URLPattern):
            yield "/" + path


def test_every_page_without_arguments_carries_both_policies_for_everyone(tuyen_quang):
    call_command("seed_demo")
    anonymous = Client(raise_request_exception=False)
    organiser = Client(raise_request_exception=False)
    organiser.post(reverse("account_login"), {"login": STAFF[0][0], "password": DEMO_PASSWORD})
    paths = sorted(set(_plain_paths()))
    assert "/" in paths and "/quan-tri/" in paths and len(paths) > 20
    for path in paths:
        for client in (anonymous, organiser):
            assert_policies(client.get(path), path)


def test_pages_with_arguments_redirects_errors_and_files_carry_both_policies(client, tuyen_quang):
    call_command("seed_demo")
    course = Course.objects.published().first()
    lesson = course.lessons.first()
    responses = {
        "course": client.get(course.get_absolute_url()),
        "lesson": client.get(lesson.get_absolute_url()),
        "redirect": client.get(reverse("accounts:profile")),
        "not found": client.get("/khong-co-trang-nay/"),
        "method not allowed": client.put(reverse("account_logout")),
        "static file": client.get("/static/css/site.css"),
        "bad host": client.get("/", HTTP_HOST="evil.example"),
    }
    statuses = {name: response.status_code for name, response in responses.items()}
    assert statuses == {
        "course": 200,
        "lesson": statuses["lesson"],  # 200, or 302 to sign in for an officials' course
        "redirect": 302,
        "not found": 404,
        "method not allowed": 405,
        "static file": 200,
        "bad host": 400,
    }
    for name, response in responses.items():
        assert_policies(response, name)


def test_the_500_page_carries_both_policies(client, settings):
    settings.ROOT_URLCONF = "tests.config.failing_urls"
    client.raise_request_exception = False
    response = client.get("/hong/")
    assert response.status_code == 500
    assert "Xin lỗi, hệ thống đang gặp sự cố" in response.content.decode()
    assert_policies(response, "500")


TEMPLATES = Path(settings.BASE_DIR) / "templates"
STATIC = Path(settings.BASE_DIR) / "static"
# What the policy refuses in a page: inline script (a <script> without src), on…= handlers,
# javascript: links, style="…" attributes and <style> elements.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE = re.compile(r"<[a-z][^>]*\sstyle\s*=|<style\b", re.IGNORECASE)
SCRIPT_LINK = re.compile(r"javascript:", re.IGNORECASE)


@pytest.mark.parametrize(
    "path",
    sorted(TEMPLATES.rglob("*.html")),
    ids=lambda path: str(path.relative_to(TEMPLATES)),
)
def test_no_template_has_what_the_policy_refuses(path):
    text = re.sub(r"{#.*?#}", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
    for rule in (INLINE_SCRIPT, HANDLER, STYLE, SCRIPT_LINK):
        found = rule.search(text)
        assert found is None, f"{path.name}: {found and found.group(0)}"


def test_no_script_of_ours_writes_a_style_attribute_or_evaluates_text():
    for path in STATIC.rglob("*.js"):
        if "vendor" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(
            r"setAttribute\(\s*['\"]style|\.cssText|\beval\(|new Function\(", text
        ), path
        assert not re.search(r"innerHTML\s*=.*\b(style|on[a-z]+)\s*=", text), path
