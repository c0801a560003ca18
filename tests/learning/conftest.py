import datetime

import pytest

from courses.imports import parse_markdown
from courses.services import import_course
from tests import factories
from tests.courses.conftest import SAMPLE


@pytest.fixture
def course(db):
    """A published 3-lesson residents' course; 30 s minimum reading per lesson."""
    return import_course(data=parse_markdown(SAMPLE.read_text(encoding="utf-8")), publish=True)


@pytest.fixture
def learner(tuyen_quang):
    return factories.person(commune=factories.commune("00985"), full_name="Nguyễn Văn An")


def age_reading(client, seconds: int):
    """Move every opening time back, as if the reader had been reading `seconds` longer:
    in the database for a logged-in learner, in the session for a visitor."""
    from django.db.models import F

    from learning.models import LessonProgress
    from learning.session import KEY

    delta = datetime.timedelta(seconds=seconds)
    LessonProgress.objects.filter(completed_at__isnull=True).update(
        opened_at=F("opened_at") - delta
    )
    session = client.session
    record = session.get(KEY)
    if record:
        for entry in record["lessons"].values():
            entry["opened"] = (datetime.datetime.fromisoformat(entry["opened"]) - delta).isoformat()
        session[KEY] = record
        session.save()
