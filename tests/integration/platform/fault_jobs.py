"""A slow job for the worker-fault tests: steps that each sleep, then record themselves in
PostgreSQL with the worker that ran them. Like ingest, a retried run skips the steps already
recorded, so a step recorded twice means two workers ran the job at once."""

from __future__ import annotations

import os
import time

import psycopg

TABLES = """
CREATE TABLE IF NOT EXISTS fault_steps (key text, step int, worker_pid int, at timestamptz);
CREATE TABLE IF NOT EXISTS fault_done (key text, worker_pid int, at timestamptz);
"""


def create_tables(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(TABLES)


def steps(database_url: str, key: str) -> list[tuple[int, int]]:
    """(step, worker pid) of each step of `key`'s job recorded so far, in the order they ran."""
    with psycopg.connect(database_url) as connection:
        sql = "SELECT step, worker_pid FROM fault_steps WHERE key = %s ORDER BY at"
        return connection.execute(sql, [key]).fetchall()


def stepped(database_url: str, key: str, steps: int, step_seconds: float) -> int:
    worker_pid = os.getppid()  # RQ runs the job in a work-horse forked from the worker
    with psycopg.connect(database_url, autocommit=True) as connection:
        done = {
            row[0]
            for row in connection.execute("SELECT step FROM fault_steps WHERE key = %s", [key])
        }
        for step in range(steps):
            if step in done:
                continue
            time.sleep(step_seconds)
            connection.execute(
                "INSERT INTO fault_steps VALUES (%s, %s, %s, now())", [key, step, worker_pid]
            )
        connection.execute("INSERT INTO fault_done VALUES (%s, %s, now())", [key, worker_pid])
    return steps
