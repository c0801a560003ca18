"""Who may open each route of quiz (the contest and live games), for the authorization matrix
(tests/config/test_authorization.py): its access class and how to build its arguments
from the world (tests/config/world.py)."""

from tests.config.access import (
    ADMIN,
    COORD_A,
    COORD_B,
    HOST,
    HOST_ONLY,
    LOGGED_IN,
    NOBODY,
    ORGANISER_OR_COORDINATOR,
    OWNER,
    PUBLIC,
    RESIDENT,
    Route,
    a_and_b,
    one,
)

ROUTES: dict[str, Route] = {
    # --- quiz: the contest ---
    "quiz:contest_list": Route(PUBLIC),
    "quiz:contest": Route(
        PUBLIC,
        a_and_b(lambda w: {"slug": w["contest"].slug}, lambda w: {"slug": w["draft_contest"].slug}),
        sees={"B": NOBODY},
    ),
    "quiz:start": Route(
        LOGGED_IN,
        a_and_b(lambda w: w["round"], lambda w: w["draft_round"]),
        sees={"B": NOBODY},
        ok=302,
        method="POST",
    ),
    **{
        name: Route(
            PUBLIC,
            a_and_b(lambda w: w["round"], lambda w: w["draft_round"]),
            sees={"B": NOBODY},
        )
        for name in ("quiz:leaderboard", "quiz:screen")
    },
    "quiz:results": Route(
        PUBLIC,
        a_and_b(lambda w: {"slug": w["contest"].slug}, lambda w: {"slug": w["draft_contest"].slug}),
        sees={"B": NOBODY},
    ),
    "quiz:export": Route(  # organisers; coordinators their scope's rows once published
        ORGANISER_OR_COORDINATOR,
        a_and_b(lambda w: w["round"], lambda w: w["draft_round"]),
        sees={"B": {HOST, ADMIN}},
        refuse=404,
    ),
    "quiz:review_queue": Route(  # organisers; coordinators their scope's held attempts
        ORGANISER_OR_COORDINATOR,
        a_and_b(lambda w: w["round"], lambda w: w["draft_round"]),
        sees={"B": {HOST, ADMIN}},
        refuse=404,
    ),
    "quiz:review_attempt": Route(
        ORGANISER_OR_COORDINATOR,
        a_and_b(
            lambda w: {**w["held_round"], "pk": w["held_A"].pk},
            lambda w: {**w["held_round"], "pk": w["held_B"].pk},
        ),
        sees={"A": {COORD_A, HOST, ADMIN}, "B": {COORD_B, HOST, ADMIN}},
        refuse=404,
    ),
    "quiz:attempt": Route(
        OWNER,
        a_and_b(lambda w: {"pk": w["attempt_A"].pk}, lambda w: {"pk": w["attempt_B"].pk}),
        sees={"A": {RESIDENT}, "B": NOBODY},
    ),
    "quiz:result": Route(
        OWNER,
        a_and_b(lambda w: {"pk": w["attempt_A"].pk}, lambda w: {"pk": w["attempt_B"].pk}),
        sees={"A": {RESIDENT}, "B": NOBODY},
        ok=302,  # not submitted yet: back to the attempt
    ),
    **{
        name: Route(
            OWNER,
            a_and_b(lambda w: {"pk": w["attempt_A"].pk}, lambda w: {"pk": w["attempt_B"].pk}),
            sees={"A": {RESIDENT}, "B": NOBODY},
            ok=302,  # nothing chosen / submitted: back to the attempt
            method="POST",
        )
        for name in ("quiz:answer", "quiz:submit")
    },
    # --- quiz: live games ---
    "quiz:enter_pin": Route(PUBLIC),
    "quiz:join": Route(
        PUBLIC,
        a_and_b(lambda w: {"pin": w["game_A"].pin}, lambda w: {"pin": "000000"}),
        sees={"B": NOBODY},
        missing=302,  # no open game with that PIN: back to the PIN page, with a message
    ),
    "quiz:play": Route(PUBLIC, one(lambda w: {"pin": w["game_A"].pin}), ok=302),  # not joined
    "quiz:host_list": Route(HOST_ONLY),
    **{
        name: Route(
            HOST_ONLY,
            a_and_b(lambda w: {"pk": w["game_A"].pk}, lambda w: {"pk": w["game_B"].pk}),
            sees={"A": {HOST, ADMIN}, "B": {ADMIN}},  # game B is another host's
        )
        for name in ("quiz:host", "quiz:join_qr", "quiz:game_export")
    },
}
