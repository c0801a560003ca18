"""Who may open each route of learning (reading, reports, the festival), for the
authorization matrix (tests/config/test_authorization.py): its access class and how to
build its arguments from the world (tests/config/world.py)."""

from tests.config.access import (
    COORD_A,
    COORD_B,
    COORDINATOR,
    COORDINATOR_SCOPED,
    FESTIVAL,
    IN_A,
    IN_B,
    LOGGED_IN,
    NOBODY,
    OWNER,
    PUBLIC,
    RESIDENT,
    STAFF,
    Route,
    a_and_b,
    one,
)

ROUTES: dict[str, Route] = {
    # --- learning: reading ---
    "learning:catalogue": Route(PUBLIC),
    "learning:course": Route(
        PUBLIC,
        a_and_b(lambda w: {"slug": w["course"].slug}, lambda w: {"slug": w["draft"].slug}),
        sees={"B": STAFF},  # an unpublished course: staff preview it, nobody else knows it
    ),
    "learning:enroll": Route(
        LOGGED_IN,
        a_and_b(lambda w: {"slug": w["course"].slug}, lambda w: {"slug": w["draft"].slug}),
        sees={"B": STAFF},
        ok=302,
        method="POST",
    ),
    "learning:final_test": Route(
        LOGGED_IN, one(lambda w: {"slug": w["course"].slug}), sees={"A": NOBODY}
    ),  # the sample course has no final test
    "learning:lesson": Route(PUBLIC, one(lambda w: w["lesson"])),
    "learning:answer": Route(PUBLIC, one(lambda w: w["question"]), ok=302, method="POST"),
    "learning:complete": Route(PUBLIC, one(lambda w: w["lesson"]), ok=302, method="POST"),
    "learning:my_learning": Route(LOGGED_IN),
    "learning:notifications": Route(LOGGED_IN),
    "learning:certificate": Route(
        OWNER,
        a_and_b(lambda w: {"code": w["cert_A"].code}, lambda w: {"code": w["cert_B"].code}),
        sees={"A": {RESIDENT}, "B": NOBODY},
    ),
    "learning:certificate_pdf": Route(
        OWNER,
        a_and_b(lambda w: {"code": w["cert_A"].code}, lambda w: {"code": w["cert_B"].code}),
        sees={"A": {RESIDENT}, "B": NOBODY},
    ),
    "learning:verify": Route(
        PUBLIC,
        a_and_b(lambda w: {"code": w["cert_A"].code}, lambda w: {"code": "KHONGCOMA"}),
        sees={"B": NOBODY},
    ),
    # --- learning: coordinators' reports ---
    "learning:report_list": Route(COORDINATOR),
    "learning:report_detail": Route(COORDINATOR, one(lambda w: {"slug": w["course"].slug})),
    # Held certificates: reviewed by the coordinators of the holder's scope (issue 14).
    "learning:certificate_reviews": Route(COORDINATOR),
    "learning:certificate_review": Route(
        COORDINATOR_SCOPED,
        a_and_b(lambda w: {"pk": w["cert_A"].pk}, lambda w: {"pk": w["cert_B"].pk}),
        sees={"A": IN_A, "B": IN_B},
    ),
    "learning:campaign_list": Route(COORDINATOR),
    "learning:campaign": Route(COORDINATOR, one(lambda w: {"pk": w["campaign"].pk})),
    "learning:campaign_people": Route(COORDINATOR, one(lambda w: {"pk": w["campaign"].pk})),
    "learning:campaign_export": Route(
        COORDINATOR, one(lambda w: {"pk": w["campaign"].pk}), ok=302, method="POST"
    ),
    "learning:export_job": Route(
        COORDINATOR_SCOPED,
        a_and_b(lambda w: {"pk": w["job_A"].pk}, lambda w: {"pk": w["job_B"].pk}),
        sees={"A": {COORD_A}, "B": {COORD_B}},  # the requester's own report
    ),
    "learning:export_download": Route(
        COORDINATOR_SCOPED,
        a_and_b(lambda w: {"pk": w["job_A"].pk}, lambda w: {"pk": w["job_B"].pk}),
        sees={"A": {COORD_A}, "B": {COORD_B}},
    ),
    # --- learning: the festival ---
    "learning:event_list": Route(PUBLIC),
    "learning:event": Route(
        PUBLIC,
        a_and_b(lambda w: {"pk": w["event_A"].pk}, lambda w: {"pk": w["event_B"].pk}),
        sees={"B": NOBODY},  # event B is not published
    ),
    "learning:event_check_in": Route(
        PUBLIC,
        one(lambda w: {"pk": w["event_A"].pk}),
        anonymous=302,  # → quick sign-up
    ),
    "learning:booth_check_in": Route(
        PUBLIC, one(lambda w: {"pk": w["event_A"].pk, "booth": w["booth_A"].pk}), anonymous=302
    ),
    "learning:event_screen": Route(
        PUBLIC,
        a_and_b(lambda w: {"pk": w["event_A"].pk}, lambda w: {"pk": w["event_B"].pk}),
        sees={"B": NOBODY},
    ),
    "learning:event_counts": Route(
        PUBLIC,
        a_and_b(lambda w: {"pk": w["event_A"].pk}, lambda w: {"pk": w["event_B"].pk}),
        sees={"B": NOBODY},
    ),
    "learning:attendee": Route(
        PUBLIC,
        a_and_b(
            lambda w: {"code": w["users"][RESIDENT].attendee_code}, lambda w: {"code": "khong-co"}
        ),
        sees={"B": NOBODY},
    ),
    "learning:manage_events": Route(FESTIVAL),
    "learning:event_add": Route(FESTIVAL),
    "learning:assisted_sign_up": Route(FESTIVAL),
    "learning:print_codes": Route(FESTIVAL),
    **{
        name: Route(
            FESTIVAL,
            a_and_b(lambda w: {"pk": w["event_A"].pk}, lambda w: {"pk": w["event_B"].pk}),
            sees={"A": IN_A, "B": IN_B},
        )
        for name in (
            "learning:event_edit",
            "learning:event_scan",
            "learning:attendance",
            "learning:attendance_export",
        )
    },
}
