"""The accounts app's models: people, places, roles, and the records of imports and jobs.

A package so that each module reads in one sitting; every model is imported here so that
Django finds it (the app label stays "accounts"), with the choices callers use beside them.
"""

from accounts.models.imports import HeadcountImport, RosterImport
from accounts.models.jobs import Job

# UserManager too: migration 0001 names it accounts.models.UserManager.
from accounts.models.people import Gender, ParticipantKind, SignInCode, User, UserManager
from accounts.models.places import Commune, Organization, Province
from accounts.models.roles import Role, RoleGrant

__all__ = [
    "Commune",
    "Gender",
    "HeadcountImport",
    "Job",
    "Organization",
    "ParticipantKind",
    "Province",
    "Role",
    "RoleGrant",
    "RosterImport",
    "SignInCode",
    "User",
    "UserManager",
]
