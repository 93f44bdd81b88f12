# with statements holding several context managers: enter order, reverse exit order, exceptions and suppression.
log = []
class CM:
    def __init__(self, name, suppress=False, fail_enter=False):
        self.name = name
        self.suppress = suppress
        self.fail_enter = fail_enter
    def __enter__(self):
        log.append("enter " + self.name)
        if self.fail_enter:
            raise RuntimeError("enter failed: " + self.name)
        return self.name
    def __exit__(self, t, v, tb):
        log.append("exit " + self.name + (" exc=" + str(v) if t else ""))
        return self.suppress
def run(label, body):
    del log[:]
    try:
        body()
        result = "ok"
    except Exception as e:
        result = "raised " + repr(e)
    print(label, "->", result)
    for line in log:
        print("   ", line)
def two():
    with CM("a") as a, CM("b") as b:
        log.append("body " + a + b)
run("two managers", two)
def three_fail():
    with CM("a"), CM("b"), CM("c"):
        raise ValueError("oops")
run("three, body raises", three_fail)
def middle_suppresses():
    with CM("outer"), CM("mid", suppress=True), CM("inner"):
        raise KeyError("k")
    log.append("after with")
run("middle suppresses", middle_suppresses)
def enter_fails():
    with CM("first"), CM("second", fail_enter=True), CM("third"):
        log.append("body not reached")
run("second enter fails", enter_fails)
def nested_equivalent():
    with CM("x") as x:
        with CM("y") as y:
            log.append("body " + x + y)
run("nested", nested_equivalent)
def return_inside():
    with CM("r1"), CM("r2"):
        return "value"
run("return inside", return_inside)
def loop_break():
    for i in range(3):
        with CM("L" + str(i)), CM("M" + str(i)):
            if i == 1:
                break
run("break inside", loop_break)
