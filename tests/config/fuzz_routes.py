"""The fuzz's table (tests/config/test_fuzz.py): for every named route (Django's admin
aside: staff only, Django's own forms), who may use it, the query parameters its page reads,
and for a form the fields with a valid sample each. A route without an entry fails the
build."""

from collections.abc import Callable
from dataclasses import dataclass

from tests.factories import PASSWORD

EXAMPLES = 12  # per route with a form or query: under two minutes for the fuzz on SQLite


@dataclass(frozen=True)
class Entry:
    who: str  # guest, resident, coordinator, host, department
    args: Callable[[dict], dict] = lambda world: {}
    query: tuple[str, ...] = ()  # what the page reads from its query string
    post: Callable[[dict], dict] | None = None  # field → valid sample; None: no form
    fetch: bool = False  # the page's script posts it and reads JSON
    examples: int = EXAMPLES  # fewer for a page that takes a second to render


def _slug(world):
    return {"slug": world["course"].slug}


def _lesson(world):
    return {**_slug(world), "lesson_id": world["lesson"].pk}


def _round(world):
    return {"slug": world["contest"].slug, "number": 1}


def _attempt(world):
    return {"pk": world["attempt"].pk}


def _event(world):
    return {"pk": world["event"].pk}


def _game(world):
    return {"pk": world["game"].pk}


def _signup(world):
    return {"full_name": "Vàng Thị Mỷ", "phone": "0912 000 111", "password1": PASSWORD,
            "password2": PASSWORD, "commune": "Giáp Trung", "birth_year": "1961",
            "participant_kind": "resident", "gender": "female", "consent": "on"}  # fmt: skip


def _event_form(world):
    return {"title": "Ngày hội số", "commune": world["commune"].pk, "date": "2025-11-20",
            "venue": "Nhà văn hoá", "organiser": "Đoàn xã", "description": "Mời cả nhà",
            "is_published": "on", "booths-TOTAL_FORMS": "1", "booths-INITIAL_FORMS": "0",
            "booths-0-title": "VNeID", "booths-0-course": world["course"].pk,
            "booths-0-order": "1"}  # fmt: skip


def _game_form(world):
    return {"title": "Đố vui", "seconds_per_question": "20", "scoring": "speed",
            "guests_allowed": "on", "late_join": "on", "count": "3",
            "topics": world["topic"].pk, "round": ""}  # fmt: skip


def _organization_form(world, name):
    return {"name": name, "kind": "other", "commune": world["commune"].pk, "parent": "",
            "confirm_new": ""}  # fmt: skip


ROUTES: dict[str, Entry] = {
    "health": Entry("guest"),
    "short_link": Entry("guest", lambda w: {"code": w["short_code"]}),
    "account_signup": Entry("guest", query=("commune", "next"), post=_signup),
    "home": Entry("guest"),
    "privacy": Entry("guest"),
    "account_login": Entry(
        "guest", query=("next",), post=lambda w: {"login": w["resident"].phone, "password": "x"}
    ),
    "account_logout": Entry("resident", post=lambda w: {}),
    "account_inactive": Entry("guest"),
    "account_reauthenticate": Entry("resident", post=lambda w: {"password": PASSWORD}),
    "account_email": Entry(
        "resident", post=lambda w: {"email": "lan@example.vn", "action_add": ""}
    ),
    "account_email_verification_sent": Entry("guest"),
    "account_change_password": Entry(
        "resident",
        post=lambda w: {"oldpassword": PASSWORD, "password1": "x", "password2": "x"},
    ),
    "account_set_password": Entry(
        "resident", post=lambda w: {"password1": PASSWORD, "password2": PASSWORD}
    ),
    "account_reset_password": Entry("guest", post=lambda w: {"email": "lan@example.vn"}),
    "account_confirm_login_code": Entry("guest", post=lambda w: {"code": "123456"}),
    "account_confirm_email": Entry("guest", lambda w: {"key": "abc"}, post=lambda w: {}),
    "account_verify_phone": Entry("resident", post=lambda w: {"code": "123456"}),
    "account_change_phone": Entry("resident", post=lambda w: {"phone": "0912000222"}),
    "account_reset_password_from_key_done": Entry("guest"),
    "account_reset_password_from_key": Entry(
        "guest",
        lambda w: {"uidb36": "1", "key": "abc"},
        post=lambda w: {"password1": PASSWORD, "password2": PASSWORD},
    ),
    "account_reset_password_done": Entry("guest"),
    "account_request_login_code": Entry("guest", post=lambda w: {"phone": "0912000333"}),
    "accounts:profile": Entry("resident"),
    "accounts:profile_edit": Entry(
        "resident",
        post=lambda w: {
            "full_name": "Ma Thị Hoa",
            "email": "",
            "commune": "Giáp Trung",
            "organization": "",
            "participant_kind": "resident",
            "birth_year": "1990",
            "gender": "",
        },  # fmt: skip
    ),
    "accounts:consent": Entry("resident", query=("next",), post=lambda w: {"consent": "on"}),
    "accounts:people_list": Entry("coordinator", query=("q", "kind", "commune", "page")),
    "accounts:people_export": Entry("coordinator", query=("q", "kind", "commune")),
    "accounts:person_detail": Entry("coordinator", lambda w: {"pk": w["resident"].pk}),
    "accounts:roster_upload": Entry("coordinator", post=lambda w: {"file": ""}),
    "accounts:roster_template": Entry("coordinator"),
    "accounts:roster_preview": Entry(
        "coordinator", lambda w: {"pk": 1}, query=("page",), post=lambda w: {}
    ),
    "accounts:roster_slips": Entry("coordinator", lambda w: {"pk": 1}, post=lambda w: {}),
    "accounts:roster_problems": Entry("coordinator", lambda w: {"pk": 1}),
    "accounts:organization_list": Entry("coordinator", query=("q", "page")),
    "accounts:organization_add": Entry(
        "coordinator", query=("ten", "xa"), post=lambda w: _organization_form(w, "Trạm y tế")
    ),
    "accounts:organization_edit": Entry(
        "coordinator",
        lambda w: {"pk": w["organization"].pk},
        post=lambda w: _organization_form(w, "UBND xã Giáp Trung"),
    ),
    "accounts:headcounts": Entry(
        "department",
        query=("loai", "q", "thieu", "page"),
        post=lambda w: {f"u{w['commune'].pk}": "4500"},
    ),
    "accounts:headcounts_export": Entry("department", query=("loai",)),
    "accounts:headcounts_upload": Entry("department", post=lambda w: {"file": ""}),
    "accounts:headcounts_preview": Entry(
        "department", lambda w: {"pk": w["headcounts"].pk}, query=("page",), post=lambda w: {}
    ),
    "accounts:job": Entry("coordinator", lambda w: {"pk": 1}),
    "accounts:job_download": Entry("coordinator", lambda w: {"pk": 1}),
    "accounts:job_retry": Entry("coordinator", lambda w: {"pk": 1}, post=lambda w: {}),
    "learning:catalogue": Entry("guest", query=("q", "page")),
    "learning:course": Entry("guest", _slug),
    "learning:enroll": Entry("resident", _slug, post=lambda w: {}),
    "learning:final_test": Entry(
        "resident",
        lambda w: {"slug": w["test_course"].slug},
        post=lambda w: {
            "try": w["test_try"].pk,
            **{f"q{q}": c for q, c in w["test_answers"].items()},
        },
    ),
    "learning:lesson": Entry("guest", _lesson),
    "learning:answer": Entry(
        "resident",
        lambda w: {**_lesson(w), "question_id": w["question"].pk},
        post=lambda w: {"choice": w["question"].choices.first().pk},
    ),
    "learning:complete": Entry("resident", _lesson, post=lambda w: {}),
    "learning:my_learning": Entry("resident"),
    "learning:notifications": Entry("resident", query=("page",)),
    "learning:certificate": Entry("resident", lambda w: {"code": w["certificate"].code}),
    "learning:certificate_pdf": Entry("resident", lambda w: {"code": w["certificate"].code}),
    "learning:report_list": Entry("coordinator"),
    "learning:report_detail": Entry("coordinator", _slug, query=("nhanh", "page")),
    "learning:certificate_reviews": Entry("coordinator", query=("xem", "page")),
    "learning:certificate_review": Entry(
        "coordinator",
        lambda w: {"pk": w["held_certificate"].pk},
        post=lambda w: {"decision": "rejected", "reason": "Học quá nhanh.", "confirm": "on"},
    ),
    "learning:campaign_list": Entry("coordinator", query=("page",)),
    "learning:campaign": Entry(
        "coordinator", lambda w: {"pk": w["campaign"].pk}, query=("kind", "page")
    ),
    "learning:campaign_export": Entry(
        "coordinator", lambda w: {"pk": w["campaign"].pk}, post=lambda w: {"kind": ""}
    ),
    "learning:export_job": Entry("coordinator", lambda w: {"pk": 1}),
    "learning:export_download": Entry("coordinator", lambda w: {"pk": 1}),
    "learning:campaign_people": Entry(
        "coordinator",
        lambda w: {"pk": w["campaign"].pk},
        query=("status", "commune", "organization", "kind", "page"),
    ),
    "learning:verify": Entry("guest", lambda w: {"code": w["certificate"].code}),
    "learning:event_list": Entry("guest", query=("page",)),
    "learning:event": Entry("guest", _event),
    "learning:event_check_in": Entry("resident", _event, post=lambda w: {}),
    "learning:booth_check_in": Entry(
        "resident", lambda w: {**_event(w), "booth": w["booth"].pk}, post=lambda w: {}
    ),
    "learning:event_screen": Entry("guest", _event),
    "learning:event_counts": Entry("guest", _event),
    "learning:attendee": Entry("guest", lambda w: {"code": w["resident"].attendee_code}),
    "learning:manage_events": Entry("coordinator", query=("page",)),
    "learning:event_add": Entry("coordinator", post=_event_form, examples=4),
    "learning:event_edit": Entry("coordinator", _event, post=_event_form, examples=4),
    "learning:event_scan": Entry(
        "coordinator",
        _event,
        post=lambda w: {"code": "", "phone": w["resident"].phone, "booth": w["booth"].pk},
        fetch=True,
    ),
    "learning:attendance": Entry("coordinator", _event, query=("page",)),
    "learning:attendance_export": Entry("coordinator", _event),
    "learning:assisted_sign_up": Entry(
        "coordinator",
        post=lambda w: {
            "full_name": "Lý Thị Mỷ",
            "phone": "0912000444",
            "birth_year": "1970",
            "commune": "Giáp Trung",
            "consent_spoken": "on",
        },  # fmt: skip
    ),
    "learning:print_codes": Entry(
        "coordinator",
        query=("event", "kind"),
        post=lambda w: {
            "kind": "event",
            "event": w["event"].pk,
            "course": "",
            "commune": "",
            "page": "",
            "title": "",
            "layout": "cards8",
            "format": "html",
        },  # fmt: skip
    ),
    "quiz:contest_list": Entry("guest"),
    "quiz:contest": Entry("guest", lambda w: {"slug": w["contest"].slug}),
    "quiz:start": Entry("resident", _round, post=lambda w: {}),
    "quiz:leaderboard": Entry("guest", _round),
    "quiz:screen": Entry("guest", _round),
    "quiz:results": Entry("guest", lambda w: {"slug": w["contest"].slug}),
    "quiz:export": Entry("host", _round),
    "quiz:review_queue": Entry("host", _round, query=("xem", "page")),
    "quiz:review_attempt": Entry(
        "host",
        lambda w: {**_round(w), "pk": w["held"].pk},
        post=lambda w: {"decision": "disqualified", "reason": "Thi hộ", "confirm": "on"},
    ),
    "quiz:attempt": Entry("resident", _attempt),
    "quiz:answer": Entry(
        "resident",
        _attempt,
        post=lambda w: {
            "question": w["drawn"].question_id,
            "choice": w["drawn"].question.choices.first().pk,
        },  # fmt: skip
        fetch=True,
    ),
    "quiz:submit": Entry("resident", _attempt, post=lambda w: {"prediction": "1.200"}),
    "quiz:result": Entry("resident", _attempt),
    "quiz:enter_pin": Entry("guest", query=("pin",)),
    "quiz:join": Entry(
        "guest",
        lambda w: {"pin": w["game"].pin},
        post=lambda w: {"nickname": "Hoa Mai", "commune": "Giáp Trung"},
    ),
    "quiz:play": Entry("guest", lambda w: {"pin": w["game"].pin}),
    "quiz:host_list": Entry("host", query=("page",), post=_game_form),
    "quiz:host": Entry("host", _game),
    "quiz:join_qr": Entry("host", _game),
    "quiz:game_export": Entry("host", _game),
    "sign_in_code": Entry("guest", lambda w: {"token": "abc"}, post=lambda w: {}),
    "switch_language": Entry("guest", lambda w: {"code": "vi"}, query=("next",)),
}
