"""Demo data for a fresh site; safe to run again (it updates what it made before)."""

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Commune, Organization, ParticipantKind, Province, Role, User
from accounts.services.communes import load_tuyen_quang
from accounts.services.roles import grant_role
from courses.services import load_starter_courses
from demo.contest import load_demo_contest
from learning.models import Campaign
from learning.services.campaigns import assign_campaign

DEMO_PASSWORD = "HocSo@2025"
PILOT_COMMUNES = ["00985", "02554"]  # Giáp Trung, Minh Thanh
PROVINCIAL_SEAT = "02215"  # Phường Minh Xuân, where the provincial departments sit

ORGANIZATIONS = [
    # name, kind, commune code, parent name
    ("Sở Khoa học và Công nghệ tỉnh Tuyên Quang", Organization.Kind.DEPARTMENT, None, None),
    ("Tỉnh đoàn Tuyên Quang", Organization.Kind.ASSOCIATION, None, None),
    ("UBND xã Giáp Trung", Organization.Kind.COMMUNE_COMMITTEE, "00985", None),
    ("Trường THCS Giáp Trung", Organization.Kind.SCHOOL, "00985", None),
    (
        "Đoàn Thanh niên xã Giáp Trung",
        Organization.Kind.ASSOCIATION,
        "00985",
        "Tỉnh đoàn Tuyên Quang",
    ),
    ("UBND xã Minh Thanh", Organization.Kind.COMMUNE_COMMITTEE, "02554", None),
    ("Trạm Y tế xã Minh Thanh", Organization.Kind.HEALTH_STATION, "02554", None),
]

# phone, name, role, commune code, organization name
STAFF = [
    ("0900000001", "Quản trị Tỉnh", Role.PROVINCE_ADMIN, None, None),
    ("0900000002", "Điều phối Giáp Trung", Role.COMMUNE_COORDINATOR, "00985", None),
    ("0900000003", "Điều phối Minh Thanh", Role.COMMUNE_COORDINATOR, "02554", None),
    (
        "0900000004",
        "Điều phối Sở KH&CN",
        Role.ORGANIZATION_COORDINATOR,
        None,
        "Sở Khoa học và Công nghệ tỉnh Tuyên Quang",
    ),
    ("0900000005", "Biên tập Nội dung", Role.CONTENT_EDITOR, None, None),
    ("0900000006", "Người dẫn Cuộc thi", Role.CONTEST_HOST, None, None),
]

SURNAMES = ["Nguyễn", "Trần", "Hoàng", "Lý", "Ma", "Nông", "Hà", "Triệu", "Đặng", "Vàng"]
MIDDLE = ["Thị", "Văn", "Đức", "Thu", "Minh"]
GIVEN = ["Lan", "Hùng", "Mai", "Sáng", "Hoa", "Dũng", "Thảo", "Pao", "Mỷ", "Hòa", "Tuấn", "Nga"]
RESIDENTS_PER_COMMUNE = 24


class Command(BaseCommand):
    help = "Load Tuyên Quang's communes, demo organizations, one user per role and residents."

    @transaction.atomic
    def handle(self, *args, **options):
        load_tuyen_quang()
        Commune.objects.filter(code__in=PILOT_COMMUNES).update(is_pilot=True)
        communes = {c.code: c for c in Commune.objects.filter(code__in=PILOT_COMMUNES)}
        organizations = self._organizations(communes)
        # One hash for every demo account: hashing is deliberately slow.
        password = make_password(DEMO_PASSWORD)
        now = timezone.now()
        self._staff(communes, organizations, password, now)
        made = self._residents(communes, organizations, password, now)
        courses = load_starter_courses()
        self._campaign(courses, now)
        self._contest(now)
        self.stdout.write(
            f"Dữ liệu mẫu: {Commune.objects.count()} xã, phường; {len(organizations)} cơ quan; "
            f"{len(STAFF)} tài khoản vai trò; {made} người học; {len(courses)} khoá học. "
            f"Mật khẩu mẫu: {DEMO_PASSWORD}"
        )

    def _organizations(self, communes) -> dict[str, Organization]:
        """The demo's organizations by name, a parent before its units."""
        province = Province.objects.get(code="08")
        organizations = {}
        for name, kind, commune_code, parent_name in ORGANIZATIONS:
            organizations[name], _ = Organization.objects.update_or_create(
                name=name,
                province=province,
                defaults={
                    "kind": kind,
                    "commune": communes.get(commune_code),
                    "parent": organizations.get(parent_name),
                },
            )
        return organizations

    def _staff(self, communes, organizations, password, now) -> None:
        """One account per role; the province's staff live where the departments sit."""
        provincial_seat = Commune.objects.get(code=PROVINCIAL_SEAT)
        for phone, name, role, commune_code, organization_name in STAFF:
            commune = communes.get(commune_code) or provincial_seat
            user = self._person(
                phone,
                name,
                password,
                now,
                commune=commune,
                organization=organizations.get(organization_name),
                participant_kind=ParticipantKind.CIVIL_SERVANT,
            )
            grant_role(
                user,
                role=role,
                commune=communes.get(commune_code),
                organization=organizations.get(organization_name),
            )

    def _residents(self, communes, organizations, password, now) -> int:
        """RESIDENTS_PER_COMMUNE people in each pilot commune, every sixth an official of its
        people's committee; returns how many."""
        made = 0
        for c_index, code in enumerate(PILOT_COMMUNES):
            committee = organizations[
                "UBND xã Giáp Trung" if code == "00985" else "UBND xã Minh Thanh"
            ]
            for i in range(RESIDENTS_PER_COMMUNE):
                n = c_index * RESIDENTS_PER_COMMUNE + i
                official = i % 6 == 0
                self._person(
                    f"03{c_index + 1}{i + 1:07d}",
                    f"{SURNAMES[n % 10]} {MIDDLE[n % 5]} {GIVEN[n % 12]}",
                    password,
                    now,
                    commune=communes[code],
                    organization=committee if official else None,
                    participant_kind=(
                        ParticipantKind.COMMUNE_OFFICIAL if official else ParticipantKind.RESIDENT
                    ),
                    birth_year=1950 + (n * 7) % 55,
                )
                made += 1
        return made

    def _campaign(self, courses, now) -> None:
        """The province's mandatory course for commune officials and civil servants."""
        officials_course = next(c for c in courses if c.audience == "officials")
        campaign, _ = Campaign.objects.update_or_create(
            title="Bồi dưỡng AI, dữ liệu và truyền thông số cho cán bộ cấp xã 2025",
            defaults={
                "kinds": [ParticipantKind.COMMUNE_OFFICIAL, ParticipantKind.CIVIL_SERVANT],
                "opens_on": officials_course.opens_on,
                "deadline": officials_course.closes_on,
            },
        )
        campaign.courses.set([officials_course])
        assign_campaign(campaign, now=now)

    def _contest(self, now) -> None:
        """The provincial contest with this week's round open, and a few attempts."""
        residents = User.objects.filter(participant_kind=ParticipantKind.RESIDENT)
        players = [
            person
            for code in PILOT_COMMUNES
            for person in residents.filter(commune__code=code).order_by("phone")[:8]
        ]
        load_demo_contest(now=now, players=players)

    def _person(self, phone, name, password, now, **profile) -> User:
        user, _ = User.objects.update_or_create(
            phone=phone,
            defaults={
                "full_name": name,
                "password": password,
                "phone_verified": True,
                "consent_at": now,
                **profile,
            },
        )
        return user
