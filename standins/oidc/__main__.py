"""python -m standins.oidc --port 9000 --config var/oidc-standin.json [--config more.json] [--key-file var/...pem]"""

import argparse
import contextlib
import signal
import sys
import threading
from pathlib import Path

from .server import ProviderConfig, load_or_create_key, serve


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m standins.oidc", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="a loopback address (anything else is refused)")
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--config", action="append", default=[], type=Path, help="clients and identities (JSON)")
    parser.add_argument("--key-file", type=Path, help="the signing key (PEM), created if missing; else a new key")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    key = load_or_create_key(args.key_file) if args.key_file else None
    try:
        server = serve(ProviderConfig(files=args.config), host=args.host, port=args.port, key=key, verbose=args.verbose)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"Stand-in OpenID Connect provider (NHS login and CIS2) at {server.provider.issuer}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
