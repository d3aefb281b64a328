"""The synthetic demo region: staff personas, synthetic people and a lived-in history (`manage.py seed_demo`).

Seeding builds months of history in one run, through the real services. Services stamp what they write with the
time they run (timeline entries, audit events, created/recorded times), so each back-dated call is replayed at
its own moment: `with ctx.at(day_or_moment, after=previous) as moment:` (clock.py, over time-machine's
`travel(moment, tick=False)`). A day gets a working hour from a generator seeded by the demo's seed, so seeding
stays deterministic and `ctx.rng` is untouched; `after` keeps one person's events in order; nothing lands in the
future. Calls for what really happens now (an open claim, a question still waiting) are not wrapped.
An app's `demo_data.seed(ctx)` uses `DemoClock.of(ctx)`, which also works with the bare contexts its tests pass.
"""
