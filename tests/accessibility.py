"""Accessibility checks for the browser tests: axe (WCAG 2.1 AA) on pages as people received them."""

from axe_playwright_python.sync_playwright import Axe

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


class Auditor:
    """Runs axe on the pages exactly as they were received.

    Axe needs JavaScript, and our people browse without it: each page's HTML is served again, unchanged,
    at its own address in a second context with JavaScript on (the site's CSS still loads from the server).
    """

    def __init__(self, context):
        self.page = context.new_page()
        self.violations = {}

    def check(self, name, seen):
        url, html = seen.url, seen.content()

        def replay(route):
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

        def is_seen_url(address):
            return address == url

        self.page.route(is_seen_url, replay)
        self.page.goto(url)
        self.page.unroute(is_seen_url, replay)
        results = Axe().run(self.page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
        self.violations[name] = [
            (violation["id"], violation["help"], [node["target"] for node in violation["nodes"]])
            for violation in results.response["violations"]
        ]
