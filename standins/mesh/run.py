"""Run mesh-sandbox on 127.0.0.1 with our mailboxes (run by the sandbox's own Python: see __init__.py).

mesh-sandbox reads its mailboxes and workflows from files inside its package; this points it at the folder in
JOINEDUP_MESH_DATA (mailboxes.jsonl, workflows.jsonl) instead, then serves it with uvicorn."""

import argparse
import os

import uvicorn
from mesh_sandbox.store.canned_store import CannedStore

_initialise = CannedStore.initialise


def _our_mailboxes(self):
    self._canned_data_dir = os.environ["JOINEDUP_MESH_DATA"]
    _initialise(self)


CannedStore.initialise = _our_mailboxes

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    from mesh_sandbox.api import app

    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")
