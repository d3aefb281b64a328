"""Fixtures this app shares with the whole suite (loaded by the root conftest's pytest_plugins).

The URL walk (joinedup/core/tests/test_url_walk.py) asks for a fixture named `url_arg_<kwarg>` for every
URL keyword argument other than person_id: define those here for this app's URLs.
"""
