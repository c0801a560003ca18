from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from courses.course_file import CourseFileError
from courses.forms import read_course_file
from courses.services import import_course


class Command(BaseCommand):
    help = "Import a course from a Markdown (.md) or Excel (.xlsx) file (docs/course-format.md)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--publish", action="store_true", help="publish the course at once")

    def handle(self, path, publish, **options):
        try:
            with open(path, "rb") as handle:
                upload = File(handle, name=path)
                course = import_course(data=read_course_file(upload), publish=publish)
        except OSError as error:
            raise CommandError(str(error)) from error
        except CourseFileError as error:
            raise CommandError(f"{path}: {error}") from error
        self.stdout.write(
            f"{course.title}: {course.modules.count()} chương, {course.lessons.count()} bài."
        )
