import pytest

from courses.imports import parse_markdown
from courses.services import import_course
from tests import factories


@pytest.fixture
def sample_text() -> str:
    return factories.SAMPLE.read_text(encoding="utf-8")


@pytest.fixture
def course(db, sample_text):
    """A published 3-lesson residents' course (tests/courses/sample.md)."""
    return import_course(data=parse_markdown(sample_text), publish=True)


@pytest.fixture
def editor(client, tuyen_quang):
    """A logged-in superuser who edits courses in the admin."""
    user = factories.person(commune=factories.commune("00985"), full_name="Biên Tập Viên")
    user.is_staff = user.is_superuser = True
    user.save()
    client.force_login(user)
    return user
