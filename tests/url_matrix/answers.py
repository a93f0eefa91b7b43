"""The vocabulary of the matrix's rows: roles, their groups, the answers expected, and the row builders."""

import dataclasses

ROLES = ["anonymous", "learner", "other_learner", "staff_a", "staff_b", "funder_x", "funder_y", "superuser"]
# Broadest first: a narrower group named in the same row wins over a broader one.
GROUPS = {
    "everyone": ROLES,
    "outsiders": ["learner", "other_learner", "funder_x", "funder_y"],
    "learners": ["learner", "other_learner"],
    "staff": ["staff_a", "staff_b"],
    "funders": ["funder_x", "funder_y"],
}


@dataclasses.dataclass(frozen=True)
class Redirect:
    to: str  # the path redirected to, query string left out

    def __str__(self):
        return f"302 → {self.to}"


OK, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 403, 404, 405
LOGIN = Redirect("/comptes/login/")
ADMIN_HOME = Redirect("/admin/")  # Wagtail's answer to a team member without the permission
SPACE = Redirect("/mon-espace/")
PORTAL = Redirect("/financeurs/")
DETAIL = Redirect("/admin/candidatures/{application_a}/")
BULK_DONE = Redirect("/admin/bulk/inscriptions/application/etudier/")  # back to where the action was asked
SKIP = None  # not requested: a third-party admin view's own permission checks, left to Wagtail's tests


@dataclasses.dataclass
class Row:
    method: str
    path: str
    answers: dict
    data: dict = dataclasses.field(default_factory=dict)


def expand(answers):
    expanded = {}
    for group, roles in GROUPS.items():
        if group in answers:
            expanded.update(dict.fromkeys(roles, answers[group]))
    expanded.update({role: answer for role, answer in answers.items() if role in ROLES})
    unknown = set(answers) - set(ROLES) - set(GROUPS)
    assert not unknown, f"unknown roles {unknown}"
    missing = set(ROLES) - set(expanded)
    assert not missing, f"no answer for {sorted(missing)}"
    return expanded


def get(path, **answers):
    return Row("get", path, expand(answers))


def post(path, data=None, **answers):
    return Row("post", path, expand(answers), data or {})


def admin(**answers):
    """An admin view: anonymous visitors go to the one login, learners and funders get the plain refusal."""
    return {"anonymous": LOGIN, "outsiders": FORBIDDEN, **answers}


def admin_post(**answers):
    # CSRF is not enforced by the test client: an outsider's POST reaches the middleware like a GET.
    return admin(**answers)


def logged_in(**answers):
    """A view behind the login: anonymous visitors go to the one login."""
    return {"anonymous": LOGIN, "everyone": OK, **answers}
