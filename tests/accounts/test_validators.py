"""The sign-up form and the officials' roster take a person's details by one set of rules
(accounts.validators, accounts.phone): both accept and refuse the same birth years, phone
numbers and communes."""

import pytest
from allauth.account.forms import SignupForm
from django.utils import timezone

from accounts.roster import RosterCheck, check_roster
from accounts.scopes import Scope
from accounts.services.rosters import roster_directory
from accounts.validators import EARLIEST_BIRTH_YEAR, latest_birth_year
from tests import factories
from tests.factories import SIGNUP, roster_file

pytestmark = pytest.mark.django_db


def signed_up(**fields) -> SignupForm:
    """The sign-up form (allauth's, with the profile fields), checked, saving nothing."""
    form = SignupForm(data={**SIGNUP, **fields})
    form.is_valid()
    return form


def rostered(*, phone="0912000001", birth_year="", commune="Giáp Trung") -> RosterCheck:
    """One roster row checked as the Department's preview checks it, writing nothing."""
    upload = roster_file([["Người Thử", phone, birth_year, "", commune, ""]])
    return check_roster(upload, directory=roster_directory(Scope(everything=True)))


def test_the_youngest_age_is_the_sign_up_forms_six_years():
    assert latest_birth_year() == timezone.localdate().year - 6


@pytest.mark.parametrize(
    ("year", "accepted"),
    [
        (latest_birth_year(), True),  # six this year
        (latest_birth_year() + 1, False),
        (EARLIEST_BIRTH_YEAR, True),
        (EARLIEST_BIRTH_YEAR - 1, False),
    ],
)
def test_the_roster_and_the_form_agree_on_the_birth_year_bounds(tuyen_quang, year, accepted):
    form, roster = signed_up(birth_year=str(year)), rostered(birth_year=year)
    assert ("birth_year" not in form.errors) is accepted
    assert [row["birth_year"] for row in roster.valid] == ([year] if accepted else [])


@pytest.mark.parametrize(
    "typed",
    [
        "0912345678",
        "+84 912 345 678",
        "84912345678",
        "0912.345.678",
        "0912-345-678",
        "(+84) 912 345 678",
        "0084912345678",
        "+84 0912 345 678",
        "912345678",
        " 0912 345 678 ",
    ],
)
def test_the_roster_and_the_form_take_a_phone_in_each_accepted_format(tuyen_quang, typed):
    form, roster = signed_up(phone=typed), rostered(phone=typed)
    assert form.cleaned_data["phone"] == "0912345678"
    assert [row["phone"] for row in roster.valid] == ["0912345678"]


@pytest.mark.parametrize(
    "typed", ["024 3825 1234", "01234567890", "+1 202 555 0143", "0612345678", "12345"]
)
def test_the_roster_and_the_form_refuse_a_phone_for_the_same_reason(tuyen_quang, typed):
    form, roster = signed_up(phone=typed), rostered(phone=typed)
    [reason] = form.errors["phone"]
    [problem] = roster.problems
    assert problem["message"].endswith(f": {reason}")


@pytest.mark.parametrize("typed", ["Giáp Trung", "Xã Giáp Trung", "giap trung", "00985"])
def test_the_roster_and_the_form_find_a_commune_written_either_way(tuyen_quang, typed):
    giap_trung = factories.commune("00985")
    form, roster = signed_up(commune=typed), rostered(commune=typed)
    assert form.cleaned_data["commune"] == giap_trung
    assert [row["commune_id"] for row in roster.valid] == [giap_trung.pk]


def test_the_roster_and_the_form_refuse_an_unknown_commune(tuyen_quang):
    form, roster = signed_up(commune="Xã Không Có"), rostered(commune="Xã Không Có")
    assert form.errors["commune"] == [
        "Không tìm thấy xã, phường nào có tên “Xã Không Có”. Hãy kiểm tra lại tên."
    ]
    assert roster.valid == []
    assert roster.problems[0]["message"] == "Không tìm thấy xã, phường “Xã Không Có” trong tỉnh."
