"""A test client that signs in through the real sign-in page and sends the CSRF token as a browser does."""

import re

from joinedup.accounts.tests.helpers import sign_in_with_csrf

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class SignedIn:
    """`SignedIn(user)`: `.get(url)`, and `.post(url, data)` with the CSRF token from the page it came from."""

    def __init__(self, user):
        self.client = sign_in_with_csrf(user.username)

    def token(self) -> str:
        return self.client.cookies["csrftoken"].value

    def get(self, url, data=None, **extra):
        return self.client.get(url, data, **extra)

    def post(self, url, data=None, **extra):
        return self.client.post(url, {**(data or {}), "csrfmiddlewaretoken": self.token()}, **extra)
