"""A test client that signs in through the real sign-in page and sends the CSRF token as a browser does."""

import re

from django.test import Client

PASSWORD = "correct horse battery"  # every persona's (root conftest)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class SignedIn:
    """`SignedIn(user)`: `.get(url)`, and `.post(url, data)` with the CSRF token from the page it came from."""

    def __init__(self, user):
        self.client = Client(enforce_csrf_checks=True)
        self.client.get("/account/sign-in/")
        response = self.client.post(
            "/account/sign-in/",
            {"username": user.username, "password": PASSWORD, "csrfmiddlewaretoken": self.token()},
        )
        assert response.status_code == 302, f"{user.username} could not sign in"

    def token(self) -> str:
        return self.client.cookies["csrftoken"].value

    def get(self, url, data=None, **extra):
        return self.client.get(url, data, **extra)

    def post(self, url, data=None, **extra):
        return self.client.post(url, {**(data or {}), "csrfmiddlewaretoken": self.token()}, **extra)
