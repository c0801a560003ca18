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
    """Move the start of the reader's current stretch back, as if they had been reading the
    lesson in front of them `seconds` longer: in the database for a logged-in learner (and
    their cached record forgotten), in the session for a visitor."""
    from django.db.models import F

    from learning.models import Enrollment
    from learning.reads import forget_reading
    from learning.session import KEY

    delta = datetime.timedelta(seconds=seconds)
    reading = Enrollment.objects.filter(reading_since__isnull=False)
    for user_id, course_id in reading.values_list("user_id", "course_id"):
        forget_reading(user_id, course_id)
    reading.update(reading_since=F("reading_since") - delta)
    session = client.session
    record = session.get(KEY)
    if record:
        for span in record.get("courses", {}).values():
            for key in ("since", "began"):
                span[key] = (datetime.datetime.fromisoformat(span[key]) - delta).isoformat()
        session[KEY] = record
        session.save()
