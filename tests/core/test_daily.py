"""One registry of daily jobs behind one command and one task."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from oscar_loyalty import daily
from oscar_loyalty.tasks import run_daily_jobs
from tests.stores import last_line_in_store


@pytest.fixture
def calls(monkeypatch):
    """Three throw-away jobs ``test.*`` (registered in another order than they run)."""
    daily.jobs()  # the apps' own jobs first, so the copy below holds them
    monkeypatch.setattr(daily, "_JOBS", dict(daily._JOBS))
    done: list[str] = []
    daily.register("test.late", lambda: done.append("late") or 3, order=9_000_002)
    daily.register("test.early", lambda: done.append("early") or 1, order=9_000_000)
    daily.register("test.middle", lambda: done.append("middle") or 2, order=9_000_001)
    return done


def test_the_jobs_run_in_their_declared_order_not_their_registration_order(calls):
    outcomes = daily.run(["test"])
    assert calls == ["early", "middle", "late"]
    assert [(o.name, o.result) for o in outcomes] == [
        ("test.early", 1),
        ("test.middle", 2),
        ("test.late", 3),
    ]


def test_the_clubs_jobs_keep_their_order():
    names = [job.name for job in daily.jobs()]
    # A lost order task's debit must land before points mature or expire; tiers are
    # recomputed after memberships expire.
    assert names[0] == "points.catch_up"
    assert names.index("membership.expire") < names.index("membership.recompute_tiers")
    assert names.index("points.mature") < names.index("points.expire")


def test_a_failing_job_is_logged_and_the_others_still_run(calls, caplog, db):
    def broken():
        raise RuntimeError("disk full")

    daily.register("test.broken", broken, order=9_000_000)
    outcomes = {o.name: o for o in daily.run(["test"])}
    assert not outcomes["test.broken"].ok
    assert calls == ["early", "middle", "late"]
    assert "Daily job test.broken failed" in caplog.text and "disk full" in caplog.text


def test_the_command_exits_non_zero_when_a_job_failed_after_running_the_rest(calls, db):
    daily.register("test.broken", lambda: 1 / 0, order=9_000_000)
    err = StringIO()
    with pytest.raises(CommandError, match="1 daily job.*test.broken"):
        call_command("loyalty_daily", "--only", "test", stdout=StringIO(), stderr=err)
    assert calls == ["early", "middle", "late"]
    assert "test.broken: FAILED" in err.getvalue()


def test_a_failing_database_job_does_not_abort_the_next_in_a_transaction(calls, db):
    from django.db import connection

    def bad_sql():
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table_anywhere")

    daily.register("test.bad_sql", bad_sql, order=9_000_000)
    outcomes = daily.run(["test"])
    assert [o.ok for o in outcomes] == [False, True, True, True]
    assert calls == ["early", "middle", "late"]


def test_only_runs_the_named_jobs(calls):
    out = StringIO()
    call_command("loyalty_daily", "--only", "test.late", "--only", "test.early", stdout=out)
    assert calls == ["early", "late"]
    assert out.getvalue().splitlines() == ["test.early: 1", "test.late: 3"]


def test_an_unknown_job_is_refused_before_anything_runs(calls):
    with pytest.raises(CommandError, match="No daily job 'test.nope'"):
        call_command("loyalty_daily", "--only", "test.early", "--only", "test.nope")
    assert calls == []


def test_list_names_every_job_in_order_and_runs_none(calls):
    out = StringIO()
    call_command("loyalty_daily", "--list", stdout=out)
    listed = [line.split()[1] for line in out.getvalue().splitlines()]
    assert listed == [job.name for job in daily.jobs()]
    assert calls == []


def test_every_job_belongs_to_an_installed_app_and_every_app_with_jobs_has_them():
    for job in daily.jobs():
        app = job.fn.__module__.rsplit(".", 1)[0]
        assert apps.is_installed(app), job.name
        assert job.name.split(".")[0] == app.rsplit(".", 1)[-1]
    assert {job.name.split(".")[0] for job in daily.jobs()} >= {
        "points",
        "membership",
        "offers",
        "referrals",
        "segments",
        "reports",
        "privacy",
        "partners",
    }


def test_the_task_runs_every_job_and_returns_their_results(db):
    result = run_daily_jobs.enqueue()
    assert set(result.return_value) == {job.name for job in daily.jobs()}
    assert result.return_value["points.expire"] == 0


def test_an_app_that_is_not_installed_registers_no_job(tmp_path):
    (tmp_path / "without_apps.py").write_text(
        "from tests.settings import *  # noqa\n"
        "INSTALLED_APPS = [a for a in INSTALLED_APPS  # noqa\n"
        "    if not a.startswith(('oscar_loyalty.apps.referrals', 'oscar_loyalty.apps.segments',"
        " 'oscar_loyalty.apps.partners',"
        # Offers, newsletters and challenges need segments: without them the start-up stops.
        " 'oscar_loyalty.apps.offers', 'oscar_loyalty.apps.newsletter',"
        " 'oscar_loyalty.apps.challenges'))]\n"
    )
    code = "from oscar_loyalty import daily\n" + (
        "print(sorted({job.name.split('.')[0] for job in daily.jobs()}))\n"
    )
    found = last_line_in_store(code, "without_apps", path=tmp_path)
    assert found == str(
        sorted({"actions", "membership", "points", "privacy", "reports", "rewards"})
    )
