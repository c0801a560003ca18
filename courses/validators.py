"""What a stored link or upload may be: checked where it is stored (model, admin, import)
and again where it is shown, so a value stored before the check cannot become a script."""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, URLValidator
from django.utils.translation import gettext_lazy as _

# A link a learner follows from a lesson. Lessons link to videos, they never embed them
# (no <iframe>), so there is no list of video hosts: any web address will do, and nothing
# else — javascript:, data:, vbscript:, file: would run or open in the site's origin.
WEB_SCHEMES = ("http", "https")
_web_address = URLValidator(schemes=list(WEB_SCHEMES))

# Uploads are served as they are from /media/ on the site's own origin: an .html or .svg
# "attachment" would run its script there. Only documents and videos people open.
ATTACHMENT_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp"]
VIDEO_EXTENSIONS = ["mp4", "webm", "m4v", "ogv"]
validate_attachment = FileExtensionValidator(
    ATTACHMENT_EXTENSIONS,
    message=_("Tài liệu đính kèm phải là tệp %(allowed_extensions)s (tệp này là .%(extension)s)."),
)
validate_video_file = FileExtensionValidator(
    VIDEO_EXTENSIONS,
    message=_("Video phải là tệp %(allowed_extensions)s (tệp này là .%(extension)s)."),
)


def validate_web_url(value: str) -> None:
    """A web address (http or https) with no control characters and no user name in it."""
    if not value:
        return
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValidationError(
            _("Đường dẫn có ký tự điều khiển (ví dụ ký tự NUL)."), code="control_character"
        )
    try:
        _web_address(value)
    except ValidationError:
        raise ValidationError(
            _(
                "“%(value)s” không phải địa chỉ web: đường dẫn phải bắt đầu bằng https:// hoặc http://."
            ),
            code="web_url",
            params={"value": value[:80]},
        ) from None
    # https://youtube.com@evil.example/ opens evil.example: refuse a user name in a link.
    if "@" in urlsplit(value).netloc:
        raise ValidationError(
            _("Đường dẫn không được chứa tên đăng nhập hay dấu @ trước tên miền."), code="userinfo"
        )


def safe_web_url(value: str) -> str:
    """`value` if it is a web address a page may link to, else "" (the link is not shown)."""
    try:
        validate_web_url(value)
    except ValidationError:
        return ""
    return value
