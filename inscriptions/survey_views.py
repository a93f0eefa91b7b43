"""The follow-up survey page, reached from the e-mailed link: no log-in, the link is the key."""

from functools import wraps

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from inscriptions import surveys
from inscriptions.forms import FollowUpSurveyForm


def private_link(view):
    """The token is in the address: never leak it to another site, never let a search engine keep it."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


# No CSRF check: the token in the address is the only credential, and a forged request would need it.
# Under `Referrer-Policy: no-referrer` browsers post with `Origin: null`, which Django's check refuses.
@csrf_exempt
@never_cache
@private_link
@require_http_methods(["GET", "POST"])
def follow_up_survey(request, token):
    survey = surveys.survey_for_token(token)
    if survey is None:
        return render(request, "inscriptions/survey/invalid.html", status=404)
    context = {"survey": survey, "application": survey.application, "campus": survey.application.campus}
    state = surveys.survey_state(survey)
    if state != "open":
        return closed(request, state, context)

    form = FollowUpSurveyForm(
        data=request.POST if request.method == "POST" else None, left_on=survey.application.left_on
    )
    if request.method == "POST" and form.is_valid():
        try:
            became_follow_up = surveys.record_answer(
                survey,
                placement=form.cleaned_data["placement"],
                start_date=form.start_date,
                employer=form.cleaned_data["employer"].strip(),
            )
        except surveys.SurveyClosed as closing:
            return closed(request, closing.state, context)
        return render(request, "inscriptions/survey/thanks.html", {**context, "passed_to_team": not became_follow_up})
    return render(request, "inscriptions/survey/form.html", {**context, "form": form})


def closed(request, state, context):
    if state == "answered":
        return render(request, "inscriptions/survey/answered.html", context)
    return render(request, "inscriptions/survey/expired.html", context, status=410)
