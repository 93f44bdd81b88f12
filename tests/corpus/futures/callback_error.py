# An exception in a done callback is logged (on stderr, with the future's repr and the
# traceback) and does not stop the other callbacks or reach the caller. A second
# set_running_or_notify_cancel() is logged too, then raises RuntimeError.
# corpus: err_last
from concurrent.futures import Future

calls = []

g = Future()
print(g.set_running_or_notify_cancel())
try:
    g.set_running_or_notify_cancel()
except RuntimeError as e:
    print("RuntimeError:", e)


def bad(fut):
    calls.append("bad")
    raise ValueError("callback failed")


def good(fut):
    calls.append("good")


f = Future()
f.add_done_callback(bad)
f.add_done_callback(good)
f.set_result(1)
print("after set_result:", calls, f.result())
f.add_done_callback(bad)
print("after late callback:", calls)

