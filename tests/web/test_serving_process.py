"""What the serving process sets up once, beyond the app (garbage collector tuning)."""

from __future__ import annotations

import gc

from composition.asgi import tune_garbage_collector


def test_the_startup_heap_is_frozen_and_young_objects_are_collected_less_often():
    # given
    threshold = gc.get_threshold()
    try:
        # when
        tune_garbage_collector()

        # then
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (7_000, *threshold[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
