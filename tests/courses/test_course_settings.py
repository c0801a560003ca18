"""A course file may set the check questions' tries and the final test's draw and daily
tries (docs/course-format.md); left out, they take their defaults."""

import re

import pytest

from courses.course_file import CourseFileError
from courses.exports import course_workbook
from courses.imports import parse_markdown
from courses.models import Course
from courses.services import import_course
from tests.courses.uploads import upload

SETTINGS = "check_tries: 3\nfinal_test_questions: 10\nfinal_test_tries_per_day: 5\n"


def with_settings(sample_text: str, lines: str) -> str:
    return sample_text.replace("completion: lessons\n", f"completion: lessons\n{lines}", 1)


def settings_of(course: Course) -> tuple[int, int, int]:
    return course.check_tries, course.final_test_questions, course.final_test_tries_per_day


def test_left_out_settings_take_their_defaults(sample_text, db):
    course = import_course(data=parse_markdown(sample_text))
    assert settings_of(course) == (2, 0, 3)


@pytest.mark.usefixtures("editor")
def test_markdown_settings_are_kept_and_round_trip_through_excel(client, sample_text):
    course = import_course(data=parse_markdown(with_settings(sample_text, SETTINGS)))
    assert settings_of(course) == (3, 10, 5)
    workbook = course_workbook(course)
    course.delete()
    assert upload(client, "khoa-hoc.xlsx", workbook).status_code == 302
    again = Course.objects.get(slug=course.slug)
    assert settings_of(again) == (3, 10, 5)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("check_tries: 0", "Dòng 8: “0” phải là số từ 1 đến 9."),
        ("check_tries: 10", "Dòng 8: “10” phải là số từ 1 đến 9."),
        ("check_tries: ²", "Dòng 8: “²” phải là số từ 1 đến 9."),
        ("final_test_questions: -1", "“-1” phải là số từ 0 đến 1500."),
        ("final_test_tries_per_day: 0", "“0” phải là số từ 1 đến 99."),
        (f"final_test_tries_per_day: {'9' * 5000}", "phải là số từ 1 đến 99."),
    ],
    ids=["tries-zero", "tries-ten", "tries-superscript", "draw-negative", "daily-zero",
         "daily-5000-digits"],
)  # fmt: skip
def test_a_setting_out_of_its_range_is_refused_with_its_line(sample_text, line, message):
    with pytest.raises(CourseFileError, match=re.escape(message)):
        parse_markdown(with_settings(sample_text, f"{line}\n"))
