# A task's exception re-raised by result() in the caller, uncaught: the traceback goes through
# result() into the worker's frames and ends with the task's own error.
# corpus: err_last
from concurrent.futures import ThreadPoolExecutor


def parse(text):
    return int(text)


def task(text):
    return parse(text) * 2


with ThreadPoolExecutor(max_workers=2) as ex:
    good = ex.submit(task, "21")
    bad = ex.submit(task, "twenty-one")
    print(good.result())
    print(bad.result())
print("not reached")
