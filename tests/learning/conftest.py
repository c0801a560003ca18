import datetime

import pytest

from accounts.models import Role
from courses.imports import parse_markdown
from courses.services import import_course
from learning.models import Campaign
from learning.services.campaigns import assign_campaign
from tests import factories
from tests.factories import SAMPLE, T0


@pytest.fixture
def course(db):
    """A published 3-lesson residents' course; 30 s minimum reading per lesson."""
    return import_course(data=parse_markdown(SAMPLE.read_text(encoding="utf-8")), publish=True)


@pytest.fixture
def learner(tuyen_quang):
    return factories.person(commune=factories.commune("00985"), full_name="Nguyễn Văn An")


@pytest.fixture
def places(tuyen_quang):
    """Two communes: the learner's (00985) and another (02554)."""
    return factories.commune("00985"), factories.commune("02554")


@pytest.fixture
def coordinator(places):
    """The learner's commune's coordinator."""
    a, _b = places
    return factories.with_role(
        factories.person(commune=a, full_name="Điều Phối Giáp"), Role.COMMUNE_COORDINATOR, commune=a
    )


@pytest.fixture
def campaign(course, learner):
    """A campaign of `course` with a 10-day window from T0, the learner assigned."""
    campaign = Campaign.objects.create(
        title="Cán bộ học số", opens_on=T0.date(), deadline=T0.date() + datetime.timedelta(days=10)
    )
    campaign.courses.add(course)
    assign_campaign(campaign, now=T0 - datetime.timedelta(days=1))
    return campaign
