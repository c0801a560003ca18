"""The authorization matrix's world (tests/config/test_authorization.py): communes A and B,
an organization X, one user per role, and in each scope the objects the routes take."""

import datetime

from django.utils import timezone

from accounts.models import HeadcountImport, Job, Organization, Role, RosterImport, User
from courses.models import Course
from learning import festival
from learning.models import Booth, Campaign, Event, ExportJob
from learning.services.completion import issue_certificate
from quiz import games
from quiz.models import Contest, Round
from quiz.services.attempts import start_attempt, submit_attempt
from tests import factories
from tests.config.access import ADMIN, COORD_A, COORD_B, COORD_ORG, EDITOR, HOST, RESIDENT
from tests.factories import make_question


def build_world() -> dict:
    """Everything the routes take, keyed as their argument builders read it."""
    now = timezone.now()
    world = _people(now)
    world.update(_learning(world, now))
    world.update(_coordinators_files(world, now))
    world.update(_festival(world))
    world.update(_contest(world, now))
    return world


def _people(now) -> dict:
    a, b = factories.commune("00985"), factories.commune("02554")
    x = factories.organization("Sở Thử Nghiệm", kind=Organization.Kind.DEPARTMENT)
    role = factories.with_role
    users = {
        RESIDENT: factories.person(commune=a, full_name="Người Dân Giáp"),
        COORD_A: role(factories.person(commune=a), Role.COMMUNE_COORDINATOR, commune=a),
        COORD_B: role(factories.person(commune=b), Role.COMMUNE_COORDINATOR, commune=b),
        COORD_ORG: role(factories.person(commune=a), Role.ORGANIZATION_COORDINATOR, organization=x),
        EDITOR: role(factories.person(commune=a), Role.CONTENT_EDITOR),
        HOST: role(factories.person(commune=a), Role.CONTEST_HOST),
        ADMIN: role(factories.person(commune=b), Role.PROVINCE_ADMIN),
    }
    person_b = factories.person(commune=b, full_name="Người Dân Minh")
    unit_b = factories.organization("Trường Tiểu học Minh Thanh", commune=b)
    other_host = role(factories.person(commune=b), Role.CONTEST_HOST)
    User.objects.update(consent_at=now)
    return {
        "commune_A": a,
        "commune_B": b,
        "users": users,
        "person_B": person_b,
        "other_host": other_host,
        "organization_X": x,
        "unit_B": unit_b,
    }


def _learning(world, now) -> dict:
    """A published course and a draft; a certificate in each scope; a campaign."""
    course = factories.sample_course()
    draft = Course.objects.create(
        title="Bản nháp", slug="ban-nhap", summary=".", audience="residents"
    )
    lesson = course.lessons.order_by("module__order", "order").first()
    question = lesson.questions.first()
    owners = {"A": world["users"][RESIDENT], "B": world["person_B"]}
    certificates = {
        key: issue_certificate(owner, course=course, now=now) for key, owner in owners.items()
    }
    campaign = Campaign.objects.create(
        title="Đợt thử", kinds=["commune_official"], opens_on=now.date(), deadline=now.date()
    )
    campaign.courses.add(course)
    return {
        "course": course,
        "draft": draft,
        "lesson": {"slug": course.slug, "lesson_id": lesson.pk},
        "question": {"slug": course.slug, "lesson_id": lesson.pk, "question_id": question.pk},
        "cert_A": certificates["A"],
        "cert_B": certificates["B"],
        "campaign": campaign,
    }


def _coordinators_files(world, now) -> dict:
    """In each scope, a finished export, a confirmed roster, a slips job and a headcount
    import, each its maker's own."""
    users = world["users"]
    coordinators = {"A": users[COORD_A], "B": users[COORD_B]}
    jobs = {
        key: ExportJob.objects.create(
            created_by=coordinator, campaign=world["campaign"], created_at=now,
            state=ExportJob.State.DONE, file_name=f"exports/thu-{key}.xlsx", finished_at=now,
        )
        for key, coordinator in coordinators.items()
    }  # fmt: skip
    rosters = {
        key: RosterImport.objects.create(
            created_by=coordinator, file_name="ds.xlsx", confirmed_at=now,
            problems_file=f"rosters/loi-{key}.xlsx",
        )
        for key, coordinator in coordinators.items()
    }  # fmt: skip
    slips = {
        key: Job.objects.create(
            kind=Job.Kind.SLIPS, task="accounts.jobs.thu", created_by=coordinator,
            state=Job.State.DONE, result_file=f"jobs/phieu-{key}.pdf", result_name="phieu.pdf",
            created_at=now, updated_at=now, finished_at=now,
        )
        for key, coordinator in coordinators.items()
    }  # fmt: skip
    headcount_imports = {
        key: HeadcountImport.objects.create(created_by=owner, file_name="so.xlsx")
        for key, owner in (("A", users[ADMIN]), ("B", world["other_host"]))
    }
    return {
        "job_A": jobs["A"],
        "job_B": jobs["B"],
        "roster_A": rosters["A"],
        "roster_B": rosters["B"],
        "job_slips_A": slips["A"],
        "job_slips_B": slips["B"],
        "headcounts_A": headcount_imports["A"],
        "headcounts_B": headcount_imports["B"],
    }


def _festival(world) -> dict:
    """A published event in A with a booth and a short link; an unpublished one in B."""
    today = timezone.localdate()
    event_a = Event.objects.create(
        commune=world["commune_A"], title="Ngày hội A", date=today, venue="Nhà"
    )
    event_b = Event.objects.create(
        commune=world["commune_B"], title="Ngày hội B", date=today, venue="Sân", is_published=False
    )
    booth_a = Booth.objects.create(event=event_a, title="Gian A")
    short = festival.short_link(target=event_a.get_absolute_url(), label="A", event=event_a)
    return {"event_A": event_a, "event_B": event_b, "booth_A": booth_a, "short_code": short.code}


def _contest(world, now) -> dict:
    """A published contest and a draft; an open attempt and a held one in each scope; a
    live game of the host's and one of another host's."""
    questions = [make_question(n, difficulty=1 + n % 3) for n in range(6)]
    contest = Contest.objects.create(title="Cuộc thi", slug="cuoc-thi", is_published=True)
    draft_contest = Contest.objects.create(title="Chưa công bố", slug="chua-cong-bo")
    window = {
        "opens_at": now - datetime.timedelta(hours=1),
        "closes_at": now + datetime.timedelta(hours=2),
        "questions_per_attempt": 6,
        "attempts_allowed": 0,
    }
    round_ = Round.objects.create(contest=contest, number=1, **window)
    Round.objects.create(contest=draft_contest, number=1, **window)
    owners = {"A": world["users"][RESIDENT], "B": world["person_B"]}
    attempts = {key: start_attempt(owner, round_=round_, now=now) for key, owner in owners.items()}
    held_round = Round.objects.create(contest=contest, number=2, **window)
    held = {}  # submitted as soon as started: held for review
    for key, owner in owners.items():
        held[key] = start_attempt(owner, round_=held_round, now=now)
        submit_attempt(held[key], prediction=None, now=now)
    host, other_host = world["users"][HOST], world["other_host"]
    return {
        "contest": contest,
        "draft_contest": draft_contest,
        "round": {"slug": contest.slug, "number": 1},
        "draft_round": {"slug": draft_contest.slug, "number": 1},
        "attempt_A": attempts["A"],
        "attempt_B": attempts["B"],
        "held_round": {"slug": contest.slug, "number": 2},
        "held_A": held["A"],
        "held_B": held["B"],
        "game_A": games.create_game(host=host, title="Trò chơi A", questions=questions),
        "game_B": games.create_game(host=other_host, title="Trò chơi B", questions=questions),
    }
