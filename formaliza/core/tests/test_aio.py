import asyncio
import threading

from formaliza.core.aio import outside_event_loop


async def _answer():
    await asyncio.sleep(0)
    return 42


def _sync_api():
    """Like pyHanko's sync API: runs its own loop with asyncio.run."""
    coro = _answer()
    try:
        return asyncio.run(coro)
    except RuntimeError:
        coro.close()
        raise


def test_runs_wherever_it_is_called():
    assert outside_event_loop(_sync_api) == 42


def test_runs_on_a_thread_inside_a_running_loop():
    async def main():
        try:
            _sync_api()
        except RuntimeError as exc:  # what pyHanko would raise here
            refused = str(exc)
        return refused, outside_event_loop(_sync_api)

    # A thread of our own, so the test holds whatever loop the test process already runs.
    result = {}
    thread = threading.Thread(target=lambda: result.update(out=asyncio.run(main())))
    thread.start()
    thread.join()
    refused, value = result["out"]
    assert "running event loop" in refused
    assert value == 42
