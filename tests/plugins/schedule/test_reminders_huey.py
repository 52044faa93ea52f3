"""End to end through a real Huey consumer on SqliteHuey: a schedule made through the API reaches the inbox."""
import signal
import threading

from huey.signals import SIGNAL_COMPLETE, SIGNAL_ERROR

from core.testing import shanghai
from plugins.schedule.reminders.tasks import DISPATCH_TASK
from plugins.schedule.reminders.tasks import TICK_TASK as TICK
from tests.plugins.schedule.reminder_support import create_schedule


def test_the_worker_delivers_a_reminder_one_minute_ahead_into_the_inbox(make_site, clock, tmp_path):
    site = make_site(plugins=("schedule",), settings={"huey.backend": "sqlite", "huey.path": str(tmp_path / "huey.sqlite")})
    huey = site.registry.huey
    assert TICK in {task.name for task in huey._registry.periodic_tasks}  # what `tessera worker` runs every minute
    owner = site.create_user("lawyer")
    schedule = create_schedule(site, owner, shanghai(2025, 12, 26, 10, 31), title="开庭")  # reminds at 10:01
    clock.advance(minutes=1)

    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    finished, failures = threading.Event(), []

    @huey.signal(SIGNAL_COMPLETE, SIGNAL_ERROR)
    def on_finish(signal_name, task, exc=None):  # periodic tasks keep no result: Huey's signals say when it ran
        if exc is not None:
            failures.append(exc)
        if exc is not None or task.name == DISPATCH_TASK:  # the tick queues a dispatch run, which sends
            finished.set()

    consumer = huey.create_consumer(workers=2, worker_type="thread", periodic=False, initial_delay=0.01, max_delay=0.05)
    consumer.start()  # worker threads; the consumer sets its signal handlers, put back below
    try:
        # the tick as the consumer's scheduler enqueues it at the top of a minute
        site.registry.tessera_tasks[TICK]()
        assert finished.wait(timeout=30)
    finally:
        consumer.stop(graceful=True)
        for signum, handler in saved.items():
            signal.signal(signum, handler)

    assert failures == []
    inbox = site.get("/api/notifications", headers=site.headers(owner)).json["data"]
    assert inbox["unread_count"] == 1
    [message] = inbox["results"]
    assert message["title"] == "日程提醒: 开庭" and "2025-12-26 10:31" in message["content"]
    assert (message["source"], message["source_id"], message["schedule_id"]) == ("schedule", schedule["id"], schedule["id"])
