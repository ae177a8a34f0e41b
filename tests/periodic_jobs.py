"""Jobs for tests/test_periodic.py, importable by dotted path."""

CALLS: list[str] = []


def job_a():
    CALLS.append("a")


def job_broken():
    raise RuntimeError("boom")
