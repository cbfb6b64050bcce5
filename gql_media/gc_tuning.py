"""Garbage collection tuned for the request path, applied once start-up is done."""

import gc


def tune_gc(gen0_threshold: int) -> None:
    """Freeze what start-up built and collect young objects less often.

    A GraphQL answer allocates tens of thousands of short-lived objects: at
    Python's default threshold (700) that is dozens of generation-0 collections
    per request, each also scanning the long-lived schema, modules and
    connections unless they were frozen. `gen0_threshold` 0 leaves Python's
    defaults untouched.
    """
    if gen0_threshold <= 0:
        return
    gc.collect()
    gc.freeze()  # start-up's objects: never scanned again
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(gen0_threshold, gen1, gen2)
