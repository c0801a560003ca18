"""Lesson bodies: whatever an author writes, the HTML has no script, handler or script link."""

import re

import pytest

from courses.markdown import render_markdown

HOSTILE = [
    "[a](javascript:alert(1))",
    "[a](JaVaScRiPt:alert(1))",
    "[a](&#106;avascript:alert(1))",
    "[a](java&#x09;script:alert(1))",
    "[a](\x01javascript:alert(1))",
    "<javascript:alert(1)>",
    "[a]: javascript:alert(1)\n\n[a]",
    "[a](vbscript:msgbox(1))",
    "[a](data:text/html,<script>alert(1)</script>)",
    "![a](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![a](javascript:alert(1))",
    '[a](https://x.vn "t" onmouseover="alert(1)")',
    '<a href="javascript:alert(1)" onclick="alert(1)">a</a>',
    '<img src=x onerror="alert(1)">',
    "<script>alert(1)</script>",
    "<iframe src=https://evil.example></iframe>",
    '<svg onload="alert(1)"></svg>',
]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_lesson_body_never_renders_a_script_a_handler_or_a_script_link(text):
    html = render_markdown(text)
    tags = re.findall(r"<[a-z][^>]*>", html)
    for tag in tags:
        assert not re.search(r"\son\w+\s*=", tag), tag
        for url in re.findall(r'(?:href|src)="([^"]*)"', tag):
            # A browser reads a scheme only from letters, digits, "+", "-", "."
            # ("java%09script:" is a relative path); anything else must be a web scheme.
            scheme = re.match(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):", url)
            assert not scheme or scheme[1].lower() in {"http", "https", "mailto", "tel"}, tag
    assert not re.search(r"<(script|iframe|svg|object|embed|style)", html)


def test_ordinary_links_and_images_stay():
    html = render_markdown(
        "[Cổng dịch vụ công](https://dichvucong.gov.vn)\n\n![Mã QR](/media/qr.png)"
    )
    assert 'href="https://dichvucong.gov.vn"' in html and 'rel="noopener noreferrer"' in html
    assert 'src="/media/qr.png"' in html and 'alt="Mã QR"' in html
