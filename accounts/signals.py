"""Forget cached copies of a user (accounts.backends) and of their roles when they change."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from accounts.backends import user_key
from accounts.context_processors import coordinator_key, volunteer_key
from accounts.models import RoleGrant, User


@receiver([post_save, post_delete], sender=RoleGrant)
def forget_roles(sender, instance, **kwargs):
    cache.delete_many([coordinator_key(instance.user_id), volunteer_key(instance.user_id)])


@receiver([post_save, post_delete], sender=User)
def forget_user(sender, instance, **kwargs):
    cache.delete(user_key(instance.pk))


# Sent after a roster import created accounts in bulk (bulk_create sends no post_save):
# the learning app assigns the new people to campaigns. `user_ids`: the new accounts.
people_imported = Signal()
