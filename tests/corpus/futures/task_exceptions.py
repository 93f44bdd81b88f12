# Exceptions raised in tasks travel to the caller: the same object from result() and
# exception(), with its traceback through the worker; BaseException subclasses too.
import sys
from concurrent.futures import ThreadPoolExecutor


class AppError(Exception):
    def __init__(self, code):
        super().__init__(f"code {code}")
        self.code = code


def fail(code):
    raise AppError(code)


def chained():
    try:
        {}["key"]
    except KeyError as e:
        raise RuntimeError("lookup failed") from e


def exits():
    sys.exit(3)


with ThreadPoolExecutor(max_workers=2) as ex:
    f = ex.submit(fail, 7)
    exc = f.exception()
    print(type(exc).__name__, exc, exc.code, exc.__traceback__ is not None)
    try:
        f.result()
    except AppError as e:
        print("same object:", e is exc)
    try:
        f.result()
    except AppError as e:
        print("raised again:", e.args)
    try:
        ex.submit(chained).result()
    except RuntimeError as e:
        print(repr(e), "from", repr(e.__cause__))
    g = ex.submit(exits)
    print("SystemExit kept:", type(g.exception()).__name__, g.exception().code)
    try:
        g.result()
    except SystemExit as e:
        print("result raised SystemExit", e.code)
    print("pool still works:", ex.submit(sum, [1, 2, 3]).result())
