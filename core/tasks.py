"""Background jobs on Huey: one Huey instance per deployment, built from the ini.

Plugins register work in their ``includeme`` with ``config.add_task(func)`` and
``config.add_periodic_task(func, minute="*")``. The function receives the
Pyramid ``registry`` as its first argument (open transactions with
``core.db.transaction_scope(registry)``, read time from ``registry.clock``).
Enqueue from a request with ``enqueue_after_commit(request, name, …)`` so that a
rolled-back request never starts a job. ``tessera worker`` consumes the tasks of
the enabled plugins.
"""
from __future__ import annotations

import functools
import os
from typing import Callable

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab


def make_huey(settings) -> Huey:
    backend = settings["huey.backend"]
    name = settings["huey.name"]
    if backend == "sqlite":
        path = settings["huey.path"]
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        return SqliteHuey(name=name, filename=path)
    if backend == "redis":
        return RedisHuey(name=name, url=settings["huey.url"])
    return MemoryHuey(name=name, immediate=settings["huey.immediate"])


def _bind(registry, func: Callable) -> Callable:
    @functools.wraps(func)
    def run(*args, **kwargs):
        return func(registry, *args, **kwargs)

    return run


def add_task(config, func: Callable, name: str | None = None, **task_options) -> None:
    """Config directive: register ``func(registry, *args)`` as a Huey task (``retries=``, ``retry_delay=``…)."""
    registry = config.registry
    task_name = name or f"{func.__module__}.{func.__name__}"
    registry.tessera_tasks[task_name] = registry.huey.task(name=task_name, **task_options)(_bind(registry, func))


def add_periodic_task(config, func: Callable, name: str | None = None, **crontab_fields) -> None:
    """Config directive: run ``func(registry)`` when the crontab fields match (``minute="*"`` for every minute)."""
    registry = config.registry
    task_name = name or f"{func.__module__}.{func.__name__}"
    registry.tessera_tasks[task_name] = registry.huey.periodic_task(crontab(**crontab_fields), name=task_name)(
        _bind(registry, func)
    )


def enqueue_after_commit(request, task_name: str, *args, **kwargs) -> None:
    """Queue a registered task once the request's transaction has committed (never if it rolls back)."""
    task = request.registry.tessera_tasks[task_name]

    def after_commit(committed: bool) -> None:
        if committed:
            task(*args, **kwargs)

    request.tm.get().addAfterCommitHook(after_commit)


def includeme(config) -> None:
    config.registry.huey = make_huey(config.registry.settings)
    config.registry.tessera_tasks = {}
    config.add_directive("add_task", add_task)
    config.add_directive("add_periodic_task", add_periodic_task)
