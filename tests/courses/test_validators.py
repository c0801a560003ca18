"""Links a lesson may carry: web addresses only; uploads a page may serve: documents, videos."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from courses.validators import (
    safe_web_url,
    validate_attachment,
    validate_video_file,
    validate_web_url,
)

SCRIPT_LINKS = [
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://files.example.vn/video.mp4",
    "//evil.example/video",
    "https://www.youtube.com@evil.example/watch",
    "https://www.youtube.com/watch?v=a\x00b",
    "youtube.com/watch?v=abc",
]
VIDEO_LINKS = [
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://youtu.be/dQw4w9WgXcQ",
    "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
    "http://tuyenquang.gov.vn/video/bai-1.mp4",
]


@pytest.mark.parametrize("link", SCRIPT_LINKS)
def test_a_link_that_is_not_a_web_address_is_refused_and_never_shown(link):
    with pytest.raises(ValidationError):
        validate_web_url(link)
    assert safe_web_url(link) == ""


@pytest.mark.parametrize("link", VIDEO_LINKS)
def test_video_links_on_the_web_pass_and_are_shown(link):
    validate_web_url(link)
    assert safe_web_url(link) == link


@pytest.mark.parametrize("name", ["bai.html", "anh.svg", "trang.htm", "script.js", "bai.pdf.html"])
def test_an_upload_the_site_would_serve_as_a_page_is_refused(name):
    with pytest.raises(ValidationError):
        validate_attachment(SimpleUploadedFile(name, b"<script>alert(1)</script>"))
    with pytest.raises(ValidationError):
        validate_video_file(SimpleUploadedFile(name, b"<script>alert(1)</script>"))


def test_documents_and_videos_upload():
    validate_attachment(SimpleUploadedFile("huong-dan.PDF", b"%PDF-1.4"))
    validate_video_file(SimpleUploadedFile("bai-1.mp4", b"\0\0\0\x18ftypmp42"))
