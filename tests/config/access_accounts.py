"""Who may open each route of the site, allauth and accounts, for the authorization matrix
(tests/config/test_authorization.py): its access class and how to build its arguments
from the world (tests/config/world.py)."""

from tests.config.access import (
    ADMIN,
    ANONYMOUS,
    COORD_A,
    COORD_B,
    COORD_ORG,
    COORDINATOR,
    COORDINATOR_SCOPED,
    DEPARTMENT,
    IN_A,
    IN_B,
    LOGGED_IN,
    LOGIN,
    NOBODY,
    OWNER,
    PUBLIC,
    REDIRECTS_SIGNED_IN,
    RESIDENT,
    Route,
    a_and_b,
    one,
)

ROUTES: dict[str, Route] = {
    # --- config ---
    "health": Route(PUBLIC),
    "home": Route(PUBLIC),
    "privacy": Route(PUBLIC),
    "short_link": Route(
        PUBLIC,
        a_and_b(lambda w: {"code": w["short_code"]}, lambda w: {"code": "ZZZZZZ"}),
        sees={"B": NOBODY},
        ok=302,
    ),
    "switch_language": Route(PUBLIC, one(lambda w: {"code": "en"}), ok=302),
    # A page with a button; only its POST spends the link (an SMS preview must not).
    "sign_in_code": Route(PUBLIC, one(lambda w: {"token": "khong-co-ma-nay"})),
    # --- allauth (public; what each shows a signed-in person is allauth's business) ---
    "account_signup": Route(PUBLIC, ok=REDIRECTS_SIGNED_IN),
    "account_login": Route(PUBLIC, ok=REDIRECTS_SIGNED_IN),
    "account_logout": Route(PUBLIC, ok={"*": 200, ANONYMOUS: 302}),
    "account_inactive": Route(PUBLIC),
    "account_reauthenticate": Route(LOGGED_IN),
    "account_email": Route(LOGGED_IN),
    "account_email_verification_sent": Route(PUBLIC),
    "account_change_password": Route(LOGGED_IN),
    "account_set_password": Route(LOGGED_IN, ok=302),  # they have one: go change it
    "account_reset_password": Route(PUBLIC),
    "account_reset_password_done": Route(PUBLIC),
    "account_reset_password_from_key": Route(PUBLIC, one(lambda w: {"uidb36": "1", "key": "x"})),
    "account_reset_password_from_key_done": Route(PUBLIC),
    "account_confirm_email": Route(PUBLIC, one(lambda w: {"key": "sai-ma"})),
    "account_request_login_code": Route(PUBLIC, ok=REDIRECTS_SIGNED_IN),
    # Nothing pending (no code asked for, no phone to verify): back to the start.
    "account_confirm_login_code": Route(PUBLIC, ok=302, anonymous=LOGIN),
    "account_verify_phone": Route(PUBLIC, ok=302, anonymous=LOGIN),
    "account_change_phone": Route(LOGGED_IN),
    # --- accounts ---
    "accounts:profile": Route(LOGGED_IN),
    "accounts:profile_edit": Route(LOGGED_IN),
    "accounts:consent": Route(LOGGED_IN, ok=302),  # everyone here has consented already
    "accounts:people_list": Route(COORDINATOR),
    "accounts:people_export": Route(COORDINATOR),
    "accounts:person_detail": Route(
        COORDINATOR_SCOPED,
        a_and_b(lambda w: {"pk": w["users"][RESIDENT].pk}, lambda w: {"pk": w["person_B"].pk}),
        sees={"A": IN_A, "B": IN_B},
    ),
    "accounts:roster_upload": Route(COORDINATOR),
    "accounts:roster_template": Route(COORDINATOR),
    "accounts:roster_preview": Route(
        COORDINATOR_SCOPED,
        a_and_b(lambda w: {"pk": w["roster_A"].pk}, lambda w: {"pk": w["roster_B"].pk}),
        sees={"A": {COORD_A}, "B": {COORD_B}},  # the uploader's own, even for the province
    ),
    "accounts:roster_slips": Route(  # starts a job: a redirect to its page
        COORDINATOR_SCOPED,
        a_and_b(lambda w: {"pk": w["roster_A"].pk}, lambda w: {"pk": w["roster_B"].pk}),
        sees={"A": {COORD_A}, "B": {COORD_B}},
        ok=302,
        method="POST",
    ),
    "accounts:roster_problems": Route(
        COORDINATOR_SCOPED,
        a_and_b(lambda w: {"pk": w["roster_A"].pk}, lambda w: {"pk": w["roster_B"].pk}),
        sees={"A": {COORD_A}, "B": {COORD_B}},
    ),
    # Organizations: every coordinator lists and adds within their scope (issue 14).
    "accounts:organization_list": Route(COORDINATOR),
    "accounts:organization_add": Route(COORDINATOR),
    "accounts:organization_edit": Route(
        COORDINATOR_SCOPED,
        a_and_b(lambda w: {"pk": w["organization_X"].pk}, lambda w: {"pk": w["unit_B"].pk}),
        sees={"A": {COORD_ORG, ADMIN}, "B": {COORD_B, ADMIN}},
    ),
    # Expected headcounts: the Department's; an import is its uploader's own.
    "accounts:headcounts": Route(DEPARTMENT),
    "accounts:headcounts_export": Route(DEPARTMENT),
    "accounts:headcounts_upload": Route(DEPARTMENT),
    "accounts:headcounts_preview": Route(
        DEPARTMENT,
        a_and_b(lambda w: {"pk": w["headcounts_A"].pk}, lambda w: {"pk": w["headcounts_B"].pk}),
        sees={"A": {ADMIN}, "B": NOBODY},
    ),
    **{
        name: Route(  # a background job: only the person who started it
            OWNER,
            a_and_b(lambda w: {"pk": w["job_slips_A"].pk}, lambda w: {"pk": w["job_slips_B"].pk}),
            sees={"A": {COORD_A}, "B": {COORD_B}},
            **extra,
        )
        for name, extra in (
            ("accounts:job", {}),
            ("accounts:job_download", {}),
            ("accounts:job_retry", {"ok": 302, "method": "POST"}),  # not failed: its page
        )
    },
}
