"""Benchmarks for the performance targets in QUALITY.md (P1–P6) and for the apps' own heavy pages.

`python -m bench` runs every benchmark at a quick size; `python -m bench --id P3 --full` runs one at its
full size. Each benchmark runs in its own process against a throwaway database (a SQLite file in a temporary
folder, or a PostgreSQL database `joinedup_bench_<pid>` when DATABASE_URL points at PostgreSQL), measures its
baseline in the same run, and ends by printing one JSON line. See docs/performance.md.
"""
