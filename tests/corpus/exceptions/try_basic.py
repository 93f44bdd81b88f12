# try/except/else/finally ordering, `as` binding (cleared after the block), tuples of types, bare except, handler order.
def attempt(f):
    try:
        print("  try start")
        result = f()
        print("  try end")
    except ZeroDivisionError:
        print("  except ZeroDivisionError")
    except (KeyError, IndexError) as e:
        print("  except lookup:", type(e), e)
    except Exception as e:
        print("  except Exception:", repr(e))
    else:
        print("  else, result =", result)
    finally:
        print("  finally")
for name, f in [("ok", lambda: 42), ("zero", lambda: 1 // 0), ("key", lambda: {}["k"]),
                ("index", lambda: [][1]), ("value", lambda: int("x"))]:
    print(name)
    attempt(f)
try:
    raise ValueError("caught by bare except")
except:
    print("bare except")
try:
    raise KeyError("k")
except LookupError as e:
    print("caught via base class:", type(e), e)
try:
    raise IndexError("first matching handler wins")
except IndexError as e:
    print("IndexError handler:", e)
except LookupError:
    print("not reached")
e = "outer value"
try:
    raise TypeError("t")
except TypeError as e:
    print("inside:", e)
try:
    print(e)
except NameError as err:
    print("as-name cleared:", err)
try:
    pass
except Exception:
    print("not reached")
else:
    print("else runs when no exception")
finally:
    print("finally runs always")
try:
    try:
        raise ValueError("inner")
    except TypeError:
        print("wrong handler")
    finally:
        print("inner finally")
except ValueError as e:
    print("outer caught:", e)
def parse(values):
    out = []
    for v in values:
        try:
            out.append(int(v))
        except ValueError:
            out.append(None)
    return out
print(parse(["1", "x", " 7 ", "", "-3"]))
exc_types = (ValueError, TypeError)
try:
    len(5)
except exc_types as e:
    print("dynamic tuple caught:", type(e))
try:
    raise ValueError
except ValueError as e:
    print("raised class, got instance:", repr(e), e.args)
