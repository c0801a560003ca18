from learning import services, session


def keep_visitor_reading(sender, request, user, **kwargs):
    """What a visitor read before signing up or logging in becomes theirs."""
    reading = request.session.pop(session.KEY, None) if request is not None else None
    if reading and (reading.get("lessons") or reading.get("answers")):
        services.adopt_session_reading(user, reading=reading)
