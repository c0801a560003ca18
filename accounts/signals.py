"""Forget cached role answers when a user's roles change."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.context_processors import coordinator_key
from accounts.models import RoleGrant


@receiver([post_save, post_delete], sender=RoleGrant)
def forget_roles(sender, instance, **kwargs):
    cache.delete(coordinator_key(instance.user_id))
