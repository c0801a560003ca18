"""Plain functions that build test data through the real write paths: people sign up
through the site's sign-up form and allauth adapter, courses through the course importer,
attempts, readings and campaigns through the services the pages call."""

import datetime
import io
import random
import re
import unicodedata
from itertools import count
from pathlib import Path

from allauth.account.adapter import get_adapter
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from accounts.forms import ProfileSignupForm
from accounts.models import Commune, Organization, ParticipantKind, Province, Role, User
from accounts.roster import COLUMNS
from accounts.services.roles import grant_role
from courses.imports import parse_markdown
from courses.models import Course, Lesson
from courses.services import import_course
from learning.models import Campaign, Certificate
from learning.services.campaigns import assign_campaign
from learning.services.completion import complete_lesson, issue_certificate
from learning.services.reading import answer_question, enroll, open_lesson
from quiz.models import Choice, Question
from quiz.services.attempts import save_answer, start_attempt, submit_attempt

# People and places

PASSWORD = "Mat-khau-thu-2025"
_phones = count(1)
_hashed = None

# What a resident types on the sign-up page (tests/accounts/test_signup.py posts it).
SIGNUP = {
    "full_name": "  Hoàng   Thị Mai ",
    "phone": "+84 912 345 678",
    "password1": "Hoc-so-so-1-2025",
    "password2": "Hoc-so-so-1-2025",
    "commune": "giap trung",
    "birth_year": "1978",
    "participant_kind": "resident",
    "gender": "female",
    "consent": "on",
}


def sent_code(outbox) -> str:
    """The six-digit code in the last text message sent."""
    return re.search(r"\b(\d{6})\b", outbox[-1].body).group(1)


def commune(code: str) -> Commune:
    return Commune.objects.get(code=code)


def organization(name: str, *, kind=Organization.Kind.OTHER, commune=None, parent=None):
    return Organization.objects.create(
        name=name,
        kind=kind,
        province=Province.objects.get(code="08"),
        commune=commune,
        parent=parent,
    )


def person(
    *,
    commune: Commune,
    full_name: str = "Nguyễn Thị Lan",
    phone: str | None = None,
    organization=None,
    kind=ParticipantKind.RESIDENT,
) -> User:
    """Someone who signed up on the site and verified their number: the sign-up page's
    profile form and the allauth adapter that saves it (consent, defaults), with PASSWORD.
    The organization is the one they then chose on their profile."""
    global _hashed
    _hashed = _hashed or make_password(PASSWORD)  # hashing is slow on purpose: do it once
    profile = ProfileSignupForm(
        data={"full_name": full_name, "commune": commune, "participant_kind": kind, "consent": "on"}
    )
    if not profile.is_valid():
        raise ValueError(f"the sign-up form refuses this person: {profile.errors.as_text()}")
    adapter = get_adapter()
    user = adapter.new_user(None)
    adapter.set_phone(user, adapter.clean_phone(phone or f"098{next(_phones):07d}"), True)
    user = adapter.save_user(None, user, profile, commit=False)  # no password typed: unusable
    user.password, user.organization = _hashed, organization
    user.save()
    return user


def with_role(user: User, role: Role, *, commune=None, organization=None) -> User:
    grant_role(user, role=role, commune=commune, organization=organization)
    return user


def person_without_consent(*, commune: Commune, **kwargs) -> User:
    """Someone a coordinator's roster created: no password and no consent until they use
    their slip and agree."""
    user = person(commune=commune, **kwargs)
    user.consent_at, user.password = None, make_password(None)
    user.save(update_fields=["consent_at", "password"])
    return user


# Rosters

# No organizations: a roster names only existing ones (see the organization tests in
# tests/accounts/test_roster_organizations.py), and the browser walk imports this file into
# a directory without any.
UGLY = [
    ["Nguyễn Văn An", "+84 912 345 678", 1980, "", "Giáp Trung", "Cán bộ cấp xã"],
    ["Trần Thị Bình", "0912.345.679", 1990, "", "Thái Hoà", "Viên chức"],
    [unicodedata.normalize("NFD", "Hoàng Văn Cường"), 912345680, None, "", "thai hoa", ""],
    ["Lò Văn Dũng", "0912345681", 1975, "", "Xã Không Có", "Công chức"],
    ["Nguyễn Văn Trùng", "0912 345 678", 1980, "", "Giáp Trung", "Công chức"],
    [None, None, None, None, None, None],
    ['=HYPERLINK("http://x.example","Bấm vào")', "0912345682", 1980, "", "Giáp Trung", ""],
    [
        "  Lý Thị   Dung  ",
        " 0388 000 111 ",
        "1988",
        "",
        "  00985 ",
        "Công chức ",
    ],
    ["Đã Có Tài Khoản", "0977000111", 1970, "", "Giáp Trung", "Công chức"],
    ["Số Sai", "12345", 1970, "", "Giáp Trung", "Công chức"],
    ["Năm Sai", "0912345683", 1850, "", "Giáp Trung", "Công chức"],
    ["Kiểu Sai", "0912345684", 1980, "", "Giáp Trung", "Bộ trưởng"],
]


def roster_file(rows, *, name="danh-sach.xlsx", headers=COLUMNS) -> SimpleUploadedFile:
    """A coordinator's roster upload: the header row, then `rows`."""
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


# Courses

SAMPLE = Path(__file__).parent / "courses" / "sample.md"  # 3 lessons, 30 s minimum each

FINAL_TEST_COURSE = """---
title: AI cho cán bộ xã
slug: ai-can-bo
audience: officials
summary: Thử.
estimated_minutes: 10
completion: test 80
---

# Module: Một

## Lesson: Bài một
minutes: 2
min_read_seconds: 30

Nội dung.

# Final test
### Question: Câu 1
- [x] Đúng
- [ ] Sai
> Vì thế.
### Question: Câu 2
- [x] Đúng
- [ ] Sai
> Vì thế.
"""


def sample_course() -> Course:
    """The published 3-lesson residents' course of tests/courses/sample.md."""
    return import_course(data=parse_markdown(SAMPLE.read_text(encoding="utf-8")), publish=True)


# Reading and certificates

T0 = timezone.make_aware(datetime.datetime(2025, 10, 20, 8, 0))  # when a learner starts


def finish(user, course, *, start=T0, seconds_per_lesson=31):
    """Read every lesson one after another, answering right."""
    now = start
    certificate = None
    for lesson in course.lessons.order_by("module__order", "order"):
        open_lesson(user, lesson=lesson, now=now)
        for question in lesson.questions.all():
            choice = question.choices.get(is_correct=True)
            answer_question(user, question=question, choice_id=choice.pk, now=now)
        now = now + datetime.timedelta(seconds=seconds_per_lesson)
        certificate = complete_lesson(user, lesson=lesson, now=now)
    return certificate


def held(user, course, *, now=T0) -> Certificate:
    """The learner's completion of `course` the moment they enrolled: far faster than its
    90 s of minimum reading, judged by the rule every completion of theirs goes through."""
    enroll(user, course=course, now=now)
    return issue_certificate(user, course=course, now=now, screened=True)


def read_while_minimums_rise(user, course, *, start=T0) -> Certificate | None:
    """Read each lesson for its 5 s minimum while an editor raises the first two lessons'
    minimums to 30 s before the last is done: 18 s of reading for a 65 s course."""
    lessons = list(course.lessons.order_by("module__order", "order"))
    Lesson.objects.filter(course=course).update(min_read_seconds=5)
    now, certificate = start, None
    for position, lesson in enumerate(lessons):
        if position == len(lessons) - 1:
            Lesson.objects.filter(pk__in=[x.pk for x in lessons[:-1]]).update(min_read_seconds=30)
        lesson.refresh_from_db()
        open_lesson(user, lesson=lesson, now=now)
        for question in lesson.questions.all():
            right = question.choices.get(is_correct=True).pk
            answer_question(user, question=question, choice_id=right, now=now)
        now += datetime.timedelta(seconds=6)
        certificate = complete_lesson(user, lesson=lesson, now=now)
    return certificate


# Campaigns

OFFICIAL = ParticipantKind.COMMUNE_OFFICIAL
NOW = timezone.make_aware(datetime.datetime(2025, 10, 6, 9, 0))  # when a campaign assigns
DEADLINE = datetime.date(2025, 12, 31)


def make_campaign(course, *, communes=(), kinds=(OFFICIAL,), organizations=()):
    """A mandatory-training campaign for `course`, assigned to whom its rule names."""
    campaign = Campaign.objects.create(
        title="Bồi dưỡng kỹ năng số 2025",
        kinds=list(kinds),
        opens_on=datetime.date(2025, 10, 1),
        deadline=DEADLINE,
    )
    campaign.courses.add(course)
    campaign.communes.add(*communes)
    campaign.organizations.add(*organizations)
    assign_campaign(campaign, now=NOW)
    return campaign


# Questions and contest attempts

MINUTE = datetime.timedelta(minutes=1)


def make_question(n: int, difficulty: int, *, multiple=False) -> Question:
    """A bank question "Câu n" with one right choice (two when `multiple`) and one wrong."""
    question = Question.objects.create(text=f"Câu {n}", difficulty=difficulty, multiple=multiple)
    Choice.objects.create(question=question, text="Đúng", is_correct=True, order=1)
    Choice.objects.create(question=question, text="Cũng đúng", is_correct=multiple, order=2)
    Choice.objects.create(question=question, text="Sai", is_correct=False, order=3)
    return question


def right(question_id: int) -> list[int]:
    """The ids of the question's right choices."""
    return list(
        Choice.objects.filter(question_id=question_id, is_correct=True).values_list("pk", flat=True)
    )


def take(player, round_, *, right_answers: int, at, minutes=1, prediction=None):
    """`player` starts at `at`, answers `right_answers` questions right, and submits."""
    attempt = start_attempt(player, round_=round_, now=at, rng=random.Random(player.pk))
    for item in attempt.drawn.all()[:right_answers]:
        save_answer(attempt, question_id=item.question_id, choice_ids=right(item.question_id),
                    now=at)  # fmt: skip
    return submit_attempt(attempt, prediction=prediction, now=at + minutes * MINUTE)
