"""The demo's practices each have a MESH mailbox in the local mesh-sandbox (`<ODS code>OT001`, as
`python -m standins` creates them)."""


def seed(ctx) -> None:
    from .mesh import mailboxes_load

    mailboxes_load()
