from pathlib import Path

import pytest

from courses.imports import parse_markdown
from courses.services import import_course

SAMPLE = Path(__file__).with_name("sample.md")


@pytest.fixture
def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture
def course(db, sample_text):
    """A published 3-lesson residents' course (tests/courses/sample.md)."""
    return import_course(data=parse_markdown(sample_text), publish=True)
