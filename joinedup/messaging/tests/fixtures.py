"""The local GOV.UK Notify stand-in and mesh-sandbox, started on free loopback ports for the tests."""

import pytest


@pytest.fixture
def notify_standin(settings):
    """The Notify stand-in in a thread, and the settings pointing at it. Messages are sent when a test says so."""
    from standins.notify import NotifyStandIn

    stand_in = NotifyStandIn(callback_token="test-callback-token-not-a-secret").start()
    settings.NOTIFY_API_KEY = stand_in.api_key
    settings.NOTIFY_BASE_URL = stand_in.url
    settings.NOTIFY_CALLBACK_TOKEN = stand_in.callback_token
    yield stand_in
    stand_in.stop()


@pytest.fixture(scope="session")
def mesh_sandbox_server(tmp_path_factory):
    """mesh-sandbox in its own process (and its own virtual environment: its pins differ from ours)."""
    from standins.mesh import MeshSandbox

    sandbox = MeshSandbox(workdir=tmp_path_factory.mktemp("mesh"), mailboxes=MESH_TEST_MAILBOXES).start()
    yield sandbox
    sandbox.stop()


MESH_TEST_MAILBOXES = ["JOINEDUP01", "PRACTICE01", "PRACTICE02", "PRACTICE03"]


@pytest.fixture
def mesh_sandbox(mesh_sandbox_server, settings):
    settings.MESH_URL = mesh_sandbox_server.url
    settings.MESH_MAILBOX = "JOINEDUP01"
    settings.MESH_PASSWORD = mesh_sandbox_server.password
    settings.MESH_SHARED_KEY = mesh_sandbox_server.shared_key
    mesh_sandbox_server.reset()
    return mesh_sandbox_server
