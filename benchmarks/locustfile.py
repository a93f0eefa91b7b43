"""The load run's people (run by benchmarks/load.py, not on its own): young people who browse, filter, apply, pay
and sometimes withdraw, a campus team that studies and admits, and Stripe telling of each payment.

Each simulated person comes from an address of their own behind the proxy (X-Forwarded-For), as real people do:
the login limits count per address. TLS ends at the proxy: requests say so with X-Forwarded-Proto, and the
session cookie, marked Secure, is sent back over the loopback's plain HTTP.
"""

import collections
import hashlib
import hmac
import itertools
import json
import os
import random
import re
import time
import uuid
from pathlib import Path

from locust import HttpUser, between, events, task
from lxml import html

DATA = json.loads(Path(os.environ["LOAD_DATA"]).read_text())
WEBHOOK_SECRET = os.environ["STRIPE_WEBHOOK_SECRET"]
ACCOUNTS = iter(DATA["learners"])
ADDRESSES = (f"10.{n // 250}.{n % 250}.{n % 7 + 1}" for n in itertools.count(1))
TEAMS = itertools.cycle(DATA["staff"])
# Applications told "sent", for the teams to study and for the check that none was lost.
TO_STUDY = collections.defaultdict(collections.deque)  # campus id → application ids
TOLD_SENT = set()
FILTERS = [
    "/formations/?gratuit=on",
    "/formations/?places=on&tri=debut",
    "/formations/?q=web",
    "/formations/?format=sur_place&duree_max=400",
    "/formations/?page=2",
]


def form_fields(page, form_xpath="//main//form[@method='post' or @method='POST']"):
    """The hidden fields of the page's first POST form (the CSRF token, any one-time key)."""
    forms = html.fromstring(page).xpath(form_xpath)
    if not forms:
        return {}
    return {field.name: field.value or "" for field in forms[0].xpath(".//input[@type='hidden']") if field.name}


def signed(event):
    body = json.dumps(event)
    timestamp = int(time.time())
    digest = hmac.new(WEBHOOK_SECRET.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return body, f"t={timestamp},v1={digest}"


class Visitor(HttpUser):
    abstract = True

    def on_start(self):
        send = self.client.request

        def request_through_the_proxy(*args, **kwargs):
            # The cookies are marked Secure: the proxy would carry them over TLS, here they go over loopback.
            for cookie in self.client.cookies:
                cookie.secure = False
            return send(*args, **kwargs)

        self.client.request = request_through_the_proxy
        self.client.headers.update({"X-Forwarded-Proto": "https", "X-Forwarded-For": next(ADDRESSES)})

    def post_form(self, path, data, name, files=None, **kwargs):
        self.client.headers["Referer"] = f"https://{self.host.split('://', 1)[1]}{path}"
        return self.client.post(path, data=data, files=files, name=name, allow_redirects=False, **kwargs)

    def log_in(self, email, password):
        page = self.client.get("/comptes/login/", name="connexion")
        fields = form_fields(page.text, "//form[.//input[@name='password']]")
        response = self.post_form(
            "/comptes/login/", {**fields, "login": email, "password": password}, name="connexion (envoi)"
        )
        return response.status_code == 302


class YoungPerson(Visitor):
    weight = 20
    wait_time = between(1, 4)

    def on_start(self):
        super().on_start()
        self.account = next(ACCOUNTS)
        self.logged_in = False
        self.applications = []  # (application id, session id)

    @task(6)
    def browse(self):
        self.client.get("/", name="accueil")
        self.client.get("/formations/", name="catalogue")
        self.client.get(random.choice(DATA["formation_urls"]), name="page formation")

    @task(4)
    def filter(self):
        self.client.get(random.choice(FILTERS), name="catalogue filtré")

    @task(3)
    def apply(self):
        if not self.logged_in:
            self.logged_in = self.log_in(self.account["email"], DATA["password"])
            if not self.logged_in:
                return
        applied = {session for _, session in self.applications}
        choices = [session for session in DATA["sessions"] if session["id"] not in applied]
        if not choices:
            return
        session = random.choice(choices)
        path = f"/inscriptions/sessions/{session['id']}/postuler/"
        page = self.client.get(path, name="postuler")
        if page.status_code != 200:
            return
        fields = form_fields(page.text)
        data = {**fields, "motivation": "Je veux apprendre le développement web.", "availability": "complete"}
        # The form is sent as the browser sends it, multipart (it has a file field, left empty).
        response = self.post_form(path, data, name="postuler (envoi)", files={"cv": ("", b"")})
        sent = re.search(r"/inscriptions/candidatures/(\d+)/envoyee/", response.headers.get("Location", ""))
        if sent:
            application = int(sent.group(1))
            self.applications.append((application, session["id"]))
            TOLD_SENT.add(application)
            TO_STUDY[session["campus"]].append(application)
            self.client.get(response.headers["Location"], name="candidature envoyée")

    @task(3)
    def pay(self):
        if not self.applications:
            return
        application, _ = random.choice(self.applications)
        page = self.client.get("/mon-espace/", name="mon espace")
        fields = form_fields(page.text, "//form[.//input[@name='csrfmiddlewaretoken']]")
        if not fields:
            return  # her space did not answer (a 503): she comes back later
        response = self.post_form(
            f"/mon-espace/candidatures/{application}/paiement/", fields, name="payer (vers Stripe)"
        )
        checkout = re.search(r"/checkout/(cs_[\w]+)", response.headers.get("Location", ""))
        if checkout:
            self.stripe_pays(checkout.group(1), application)

    def stripe_pays(self, checkout_id, application):
        """What Stripe sends once the card is charged: sometimes twice, as Stripe may, and again after a failure."""
        event = {
            "id": f"evt_{uuid.uuid4().hex}",
            "object": "event",
            "type": "checkout.session.completed",
            "data": {
                "object": {
                    "id": checkout_id,
                    "object": "checkout.session",
                    "payment_status": "paid",
                    "payment_intent": f"pi_{uuid.uuid4().hex[:24]}",
                    "client_reference_id": str(application),
                }
            },
        }
        body, signature = signed(event)
        deliveries = 2 if random.random() < 0.2 else 1
        # Stripe sends an event again until it is answered 2xx (over days; here, a few seconds apart).
        for _ in range(5):
            answer = self.client.post(
                "/paiements/stripe/webhook/",
                data=body,
                headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
                name="webhook Stripe",
            )
            if answer.ok:
                deliveries -= 1
                if not deliveries:
                    return
            time.sleep(2)

    @task(1)
    def withdraw(self):
        if not self.applications or random.random() > 0.3:
            return
        application, session = self.applications.pop(random.randrange(len(self.applications)))
        path = f"/mon-espace/candidatures/{application}/retirer/"
        page = self.client.get(path, name="retirer")
        if page.status_code == 200:
            self.post_form(path, form_fields(page.text), name="retirer (envoi)")
        # Withdrawn, she may apply there again.


class CampusTeam(Visitor):
    fixed_count = 2
    wait_time = between(0.5, 2)

    def on_start(self):
        super().on_start()
        self.account = next(TEAMS)
        self.logged_in = self.log_in(self.account["email"], DATA["password"])

    @task
    def study_the_next_application(self):
        if not self.logged_in:
            return
        queue = TO_STUDY[self.account["campus"]]
        if not queue:
            self.client.get("/admin/candidatures/", name="admin : candidatures")
            return
        application = queue.popleft()
        detail = f"/admin/candidatures/{application}/"
        page = self.client.get(detail, name="admin : candidature")
        if page.status_code != 200:
            return
        token = form_fields(page.text, "//form[.//button[@name='target']]").get("csrfmiddlewaretoken")
        if not token:
            return  # withdrawn meanwhile: no decision left to take
        # Admitting into a full session puts the application on the waitlist instead.
        decision = {"csrfmiddlewaretoken": token, "target": "admitted", "comment": ""}
        self.post_form(f"{detail}statut/", decision, name="admin : admettre")


@events.test_stop.add_listener
def write_what_people_were_told(environment, **kwargs):
    Path(os.environ["LOAD_TOLD"]).write_text(json.dumps(sorted(TOLD_SENT)))
