"""Test helpers: NHS numbers from the 999 range (never issued to real people), register files."""

import io
import re


def nhs_for(n: int) -> str:
    """The n-th valid NHS number of the form 999xxxxxxC (skipping those whose check digit would be 10)."""
    count = -1
    body = 999000000
    while True:
        digits = str(body)
        total = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        check = 0 if check == 11 else check
        if check != 10:
            count += 1
            if count == n:
                return digits + str(check)
        body += 1


HEADER = "practice_code,nhs_number,family_name,given_name,date_of_birth,sex,postcode,smi_code,smi_date"
SCHIZOPHRENIA = "58214004"  # in MH_COD
BIPOLAR_REMISSION = "111485001"  # in the remission cluster (PRIMIS SMHRES)


def register_file(practice_code, rows, *, header=HEADER, encoding="utf-8", delimiter=","):
    lines = [header.replace(",", delimiter)] + [delimiter.join(r) for r in rows]
    return io.BytesIO(("\r\n".join(lines) + "\r\n").encode(encoding))


def row(practice_code, n, family="Test", given="Person", dob="1980-01-01", smi=SCHIZOPHRENIA, smi_date=""):
    return [practice_code, nhs_for(n), family, given, dob, "F", "FY1 3AB", smi, smi_date]


class Staff:
    """A member of staff at a browser without JavaScript: signed in through the real sign-in page, every form
    posted with the CSRF token of the page it came from, as production checks it."""

    TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

    def __init__(self, username):
        from joinedup.accounts.tests.helpers import sign_in_with_csrf

        self.client = sign_in_with_csrf(username)

    def page(self, url) -> str:
        response = self.client.get(url)
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        return response.content.decode()

    def submit(self, url, data, *, follow=False):
        """Open the page that holds the form, then post the form with that page's CSRF token."""
        token = self.TOKEN.search(self.client.get(url).content.decode())
        assert token, f"no form with a CSRF token on {url}"
        return self.client.post(url, {"csrfmiddlewaretoken": token.group(1), **data}, follow=follow)
