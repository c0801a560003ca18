"""Roles: a grant, and the admin groups the staff roles bring."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from accounts.models import Role, RoleGrant, User


@transaction.atomic
def grant_role(user: User, *, role: Role, commune=None, organization=None) -> RoleGrant:
    """Give `user` a role (idempotent). Province admins and editors can enter the admin site;
    a province admin may do everything there."""
    grant, _ = RoleGrant.objects.get_or_create(
        user=user, role=role, commune=commune, organization=organization
    )
    if role in (Role.PROVINCE_ADMIN, Role.CONTENT_EDITOR, Role.CONTEST_HOST):
        user.is_staff = True
        user.is_superuser = user.is_superuser or role == Role.PROVINCE_ADMIN
        user.save(update_fields=["is_staff", "is_superuser"])
    if role == Role.CONTENT_EDITOR:
        user.groups.add(editors_group())
    if role == Role.CONTEST_HOST:
        user.groups.add(hosts_group())
    return grant


EDITORS_GROUP = "Biên tập nội dung"
BANK_MODELS = ["question", "choice", "topic"]
HOSTS_GROUP = "Tổ chức cuộc thi"
CONTEST_MODELS = [*BANK_MODELS, "contest", "round", "attempt", "game"]


def editors_group() -> Group:
    """The admin group of content editors: every permission on course content and on the
    contest question bank."""
    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    group.permissions.set(
        Permission.objects.filter(
            Q(content_type__app_label="courses")
            | Q(content_type__app_label="quiz", content_type__model__in=BANK_MODELS)
        )
    )
    return group


def hosts_group() -> Group:
    """The admin group of contest hosts: the question bank, contests and rounds."""
    group, _ = Group.objects.get_or_create(name=HOSTS_GROUP)
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="quiz", content_type__model__in=CONTEST_MODELS
        )
    )
    return group
