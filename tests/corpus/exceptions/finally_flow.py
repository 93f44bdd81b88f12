# finally with return/break/continue: return value precedence, loops protected by finally, exceptions through finally.
def ret_in_try():
    try:
        return "from try"
    finally:
        print("finally runs before return")
print(ret_in_try())
def finally_overrides():
    try:
        return "try"
    finally:
        return "finally"
print(finally_overrides())
def finally_swallows():
    try:
        raise ValueError("lost")
    finally:
        return "finally swallowed the exception"
print(finally_swallows())
def value_captured():
    x = 1
    try:
        return x
    finally:
        x = 2
        print("x changed to", x)
print(value_captured())
for i in range(5):
    try:
        if i == 1:
            continue
        if i == 3:
            break
        print("body", i)
    finally:
        print("finally", i)
print("after loop")
def break_in_finally_loop():
    out = []
    i = 0
    while True:
        try:
            i += 1
            if i > 3:
                break
            out.append(i)
        finally:
            out.append("f" + str(i))
    return out
print(break_in_finally_loop())
def nested():
    try:
        try:
            return "inner"
        finally:
            print("inner finally")
    finally:
        print("outer finally")
print(nested())
def exc_through_finally():
    try:
        1 / 0
    finally:
        print("cleanup during exception")
try:
    exc_through_finally()
except ZeroDivisionError as e:
    print("caught after cleanup:", e)
def return_from_except():
    try:
        raise KeyError("x")
    except KeyError:
        return "from except"
    finally:
        print("finally after except-return")
print(return_from_except())
def loop_return():
    for i in range(10):
        try:
            if i == 2:
                return i
        finally:
            print("loop finally", i)
print(loop_return())
def else_and_finally(fail):
    try:
        if fail:
            raise RuntimeError("fail")
    except RuntimeError:
        return "except"
    else:
        return "else"
    finally:
        print("finally for fail =", fail)
print(else_and_finally(True), else_and_finally(False))
count = 0
while count < 3:
    try:
        count += 1
        try:
            if count == 2:
                raise ValueError(count)
        finally:
            print("inner finally", count)
    except ValueError as e:
        print("handled", e)
print("count", count)
