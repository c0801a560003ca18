"""An editor's course upload through the admin's import page."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse


def upload(client, name: str, content: bytes):
    return client.post(
        reverse("admin:courses_course_import"),
        {"file": SimpleUploadedFile(name, content), "publish": "on"},
    )
