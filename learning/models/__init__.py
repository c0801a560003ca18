"""The learning app's models, one module per sub-domain; imported here so Django finds them."""

from learning.models.campaigns import Assignment, Campaign, ExportJob, Notification, Status
from learning.models.certificates import Certificate, CertificateReview, HoldReason, Review
from learning.models.festival import Booth, CheckIn, Event, ShortLink
from learning.models.reading import Answer, Enrollment, FinalTestTry, LessonProgress

__all__ = [
    "Answer",
    "Assignment",
    "Booth",
    "Campaign",
    "Certificate",
    "CertificateReview",
    "CheckIn",
    "Enrollment",
    "Event",
    "ExportJob",
    "FinalTestTry",
    "HoldReason",
    "LessonProgress",
    "Notification",
    "Review",
    "ShortLink",
    "Status",
]
