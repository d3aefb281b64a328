"""Browser journeys: Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Never `playwright install`: the browser is the system's /usr/bin/chromium (`make browser` installs it).
One Chromium per test process; each test gets its own browser context (own cookies, own tab), and the
live server's database is emptied after each test (transactional), so journeys share nothing.
"""

import json
import os
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

# Playwright's sync API runs an asyncio event loop in this thread; Django would otherwise refuse ORM calls
# from fixtures (and the live server's set-up) as "async unsafe". Nothing here is actually concurrent.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).resolve().parents[2] / "joinedup" / "static" / "vendor" / "axe" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# What the browser says when a navigation replaces the document while a script runs on it.
NAVIGATION_SIGNS = ("Execution context was destroyed", "reading 'documentElement'", "axe is not defined")
PASSWORD = "correct horse battery"  # every persona's, see the root conftest
TIMEOUT_MS = 10_000
# The NHS.UK frontend's stylesheet asks for the Frutiger web fonts from assets.nhs.uk. The policy refuses
# anything from elsewhere ("font-src 'self'"), so pages fall back to Arial, as the NHS.UK CSS intends.
# Only these exact refusals are tolerated; any other refusal (inline script or style above all) fails.
# A loaded 2-core CI machine can take a few seconds to answer; assertions wait for the page, up to this.
expect.set_options(timeout=20_000)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Browser tests need Debian's chromium at {CHROMIUM}: run `make browser` (as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Journey:
    """One member of staff at one browser tab, with the steps every journey shares.

    Console errors are collected from the first page on, so a page that needed an inline script or style
    (refused by the Content Security Policy) is caught by `check_the_page`."""

    def __init__(self, page):
        self.page = page
        self.console_errors = []
        page.on("console", lambda message: message.type == "error" and self.console_errors.append(message.text))
        page.on("pageerror", lambda error: self.console_errors.append(f"uncaught: {error}"))

    # Given …

    def sign_in_as(self, username, password=PASSWORD, *, check=False):
        """Sign in through the real sign-in page (SKIP_SECOND_FACTOR is on in tests)."""
        page = self.page
        page.goto("/account/sign-in/")
        if check:
            self.check_the_page("the sign-in page")
        page.get_by_label("User name").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("button", name="Sign out"), f"{username} could not sign in").to_have_count(1)

    def go_to_find_a_person(self):
        self.page.get_by_role("link", name="Find a person").first.click()
        expect(self.page.get_by_role("heading", level=1)).to_have_text("Find a person")

    # Then …

    def check_no_problem_is_shown(self):
        """The page shows no error summary (so a form was accepted)."""
        summary = self.page.locator(".nhsuk-error-summary")
        assert summary.count() == 0, "the page says there is a problem:\n" + summary.inner_text()

    def check_the_page(self, what=""):
        """The page passes axe-core's WCAG 2.2 A and AA rules, and the browser refused nothing under the
        Content Security Policy. axe goes in through page.evaluate (the DevTools protocol), which the
        page's policy does not govern, so every page is tested under its real policy."""
        page = self.page
        where = what or page.url
        if not AXE.exists():
            pytest.fail(f"{AXE} is missing: `make setup` copies it from npm's axe-core")
        violations = self._run_axe()
        assert not violations, f"axe found {len(violations)} WCAG problem(s) on {where}:\n" + describe(violations)
        self.check_nothing_was_blocked(where)

    def _run_axe(self, attempts=3):
        """axe-core's violations on the page now showing. A click on a link returns before the next page
        has replaced the last, so the run waits for the page to load and, when a navigation still tears
        the document away under it, runs again on the page that arrived (at most `attempts` times)."""
        page = self.page
        for attempt in range(attempts):
            page.wait_for_load_state("load")
            try:
                page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
                return page.evaluate(
                    """async (tags) => {
                        const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
                        return results.violations.map(v => ({
                            id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                            nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html,
                                                      summary: n.failureSummary})),
                        }));
                    }""",
                    AXE_TAGS,
                )
            except PlaywrightError as error:
                navigated = any(sign in str(error) for sign in NAVIGATION_SIGNS)
                if not navigated or attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    def check_nothing_was_blocked(self, where=""):
        """No Content Security Policy refusal (no page needs inline script or style) and no script error."""
        blocked = [m for m in self.console_errors if ("Content Security Policy" in m or "Refused to" in m)]
        assert not blocked, f"the browser refused something on {where or self.page.url}:\n" + "\n".join(blocked)
        crashed = [m for m in self.console_errors if m.startswith("uncaught: ")]
        assert not crashed, f"a script failed on {where or self.page.url}:\n" + "\n".join(crashed)

    def focused(self):
        """What has the keyboard focus: its id, tag, and text (for links and buttons)."""
        return self.page.evaluate(
            "() => { const e = document.activeElement;"
            " return {id: e.id, tag: e.tagName.toLowerCase(), text: (e.innerText || '').trim(),"
            " href: e.getAttribute('href') || ''}; }"
        )


def describe(violations):
    lines = []
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"    at {node['target']}: {node['html'][:200]}")
            lines.extend(f"      {line}" for line in (node["summary"] or "").splitlines())
        if len(v["nodes"]) > 5:
            lines.append(f"    … and {len(v['nodes']) - 5} more")
    return "\n".join(lines) or json.dumps(violations)


@pytest.fixture
def open_browser(browser, live_server, region):
    """Opens a browser tab of its own on the live server: `open_browser(java_script_enabled=False)`
    for a browser without JavaScript. Requests `region` so the region pack is (re)loaded first."""
    contexts = []

    def open_(**options):
        context = browser.new_context(base_url=live_server.url, locale="en-GB", timezone_id="Europe/London", **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return Journey(context.new_page())

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def me(open_browser):
    """I, at a browser with JavaScript on, as staff normally use it."""
    return open_browser()
