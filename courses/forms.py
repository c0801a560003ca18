from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.spreadsheets import MAX_UPLOAD_BYTES, SpreadsheetError
from courses.course_file import CourseData, CourseFileError
from courses.imports import parse_markdown
from courses.workbook import parse_xlsx


def read_course_file(upload) -> CourseData:
    """Parse an uploaded .md or .xlsx course file; CourseFileError says what is wrong."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise CourseFileError(
            _("Tệp quá lớn (%(size)s MB). Giới hạn là %(limit)s MB.")
            % {"size": round(upload.size / 1048576, 1), "limit": MAX_UPLOAD_BYTES // 1048576}
        )
    name = upload.name.lower()
    if name.endswith(".xlsx"):
        try:
            return parse_xlsx(upload)
        except SpreadsheetError as error:
            raise CourseFileError(str(error)) from error
    if name.endswith((".md", ".markdown", ".txt")):
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise CourseFileError(_("Tệp Markdown phải được lưu dạng UTF-8.")) from error
        return parse_markdown(text)
    raise CourseFileError(_("Chỉ nhận tệp .xlsx hoặc .md."))


class CourseImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp khoá học (.xlsx hoặc .md)"),
        help_text=gettext_lazy("Tối đa 5 MB. Tệp có lỗi sẽ bị từ chối toàn bộ."),
    )
    publish = forms.BooleanField(label=gettext_lazy("Xuất bản ngay"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.course_data = read_course_file(upload)
        except CourseFileError as error:
            raise forms.ValidationError(str(error)) from error
        return upload
