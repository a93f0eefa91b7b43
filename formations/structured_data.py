"""schema.org Course / CourseInstance markup for formation pages (JSON-LD)."""

from formations.enums import ApplicationState, Format, Schedule

COURSE_MODES = {Format.ON_SITE: "onsite", Format.REMOTE: "online", Format.HYBRID: "blended"}
ATTENDANCE_MODES = {
    Format.ON_SITE: "https://schema.org/OfflineEventAttendanceMode",
    Format.REMOTE: "https://schema.org/OnlineEventAttendanceMode",
    Format.HYBRID: "https://schema.org/MixedEventAttendanceMode",
}

# Whether one can apply to a session, in schema.org's words: the same rule as the page's « Postuler » button.
AVAILABILITIES = {
    ApplicationState.OPEN: "https://schema.org/InStock",
    ApplicationState.WAITLIST: "https://schema.org/BackOrder",
    ApplicationState.CLOSED: "https://schema.org/OutOfStock",
}


def _place(campus):
    address = {
        "@type": "PostalAddress",
        "streetAddress": campus.street_address,
        "postalCode": campus.postcode,
        "addressLocality": campus.commune,
        "addressCountry": "FR",
    }
    place = {"@type": "Place", "name": campus.title, "address": address}
    if campus.latitude is not None and campus.longitude is not None:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(campus.latitude),
            "longitude": float(campus.longitude),
        }
    return place


def _euros(cents):
    return f"{cents / 100:.2f}"


def _offer(price_cents, url):
    return {
        "@type": "Offer",
        "category": "Paid" if price_cents else "Free",
        "price": _euros(price_cents),
        "priceCurrency": "EUR",
        "url": url,
    }


def _session_offer(session, url):
    offer = _offer(session.price_cents, url)
    offer["availability"] = AVAILABILITIES[session.application_state()]
    if session.is_open_for_applications():
        offer["validThrough"] = session.application_deadline.isoformat()
    return offer


def _course_offer(formation, url):
    """What the formation costs, from its upcoming sessions: one price, or the lowest and the highest."""
    prices = formation.price_range
    if prices is None:
        return None
    if prices.lowest == prices.highest:
        return _offer(prices.lowest, url)
    return {
        "@type": "AggregateOffer",
        "category": "Paid" if prices.lowest else "Partially Free",
        "lowPrice": _euros(prices.lowest),
        "highPrice": _euros(prices.highest),
        "priceCurrency": "EUR",
        "url": url,
    }


def _instance(formation, session, campus, url):
    instance = {
        "@type": "CourseInstance",
        "courseMode": [
            COURSE_MODES[formation.format],
            "full-time" if session.schedule == Schedule.FULL_TIME else "part-time",
        ],
        "courseWorkload": f"PT{formation.duration_hours}H",
        "startDate": session.start_date.isoformat(),
        "endDate": session.end_date.isoformat(),
        "eventAttendanceMode": ATTENDANCE_MODES[formation.format],
        "maximumAttendeeCapacity": session.capacity,
        "remainingAttendeeCapacity": session.seats_left,
        "inLanguage": "fr",
        "offers": _session_offer(session, url),
    }
    if campus is not None:
        instance["location"] = _place(campus)
    return instance


def course(formation, request=None):
    url = formation.get_full_url(request)
    campus = formation.campus
    data = {
        "@context": "https://schema.org",
        "@type": "Course",
        "@id": url,
        "url": url,
        "name": formation.title,
        "description": formation.summary,
        "inLanguage": "fr",
        "courseCode": formation.certification.code if formation.certification else str(formation.pk),
        "timeRequired": f"PT{formation.duration_hours}H",
        "hasCourseInstance": [_instance(formation, session, campus, url) for session in formation.upcoming_sessions],
    }
    if offer := _course_offer(formation, url):
        data["offers"] = offer
    if campus is not None:
        data["provider"] = {"@type": "Organization", "name": campus.title, "url": campus.get_full_url(request)}
    if formation.prerequisites:
        data["coursePrerequisites"] = formation.prerequisites
    if formation.certification:
        certification = formation.certification
        credential = {
            "@type": "EducationalOccupationalCredential",
            "name": certification.title,
            "credentialCategory": "Certification",
            "identifier": certification.code,
            "url": certification.official_url,
        }
        if certification.level:
            credential["educationalLevel"] = certification.get_level_display()
        data["educationalCredentialAwarded"] = credential
    jobs = list(formation.target_jobs.all())
    if jobs:
        data["teaches"] = [
            {"@type": "DefinedTerm", "name": job.label, "termCode": job.code, "inDefinedTermSet": "ROME"}
            for job in jobs
        ]
    return data
