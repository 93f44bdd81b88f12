# os module: getpid, cpu_count, environ.get (the corpus runner sets GILSIM_CORPUS_MARKER=corpus for every script).
import os
pid = os.getpid()
print(type(pid), pid > 0, pid == os.getpid())
n = os.cpu_count()
print(type(n), n >= 1)
print(os.environ.get("GILSIM_CORPUS_MARKER"))
print(os.environ.get("GILSIM_SURELY_UNSET_VARIABLE"))
print(os.environ.get("GILSIM_SURELY_UNSET_VARIABLE", "fallback"))
print("GILSIM_CORPUS_MARKER" in os.environ, "GILSIM_SURELY_UNSET_VARIABLE" in os.environ)
print(os.environ["GILSIM_CORPUS_MARKER"].upper())
try:
    os.environ["GILSIM_SURELY_UNSET_VARIABLE"]
except KeyError as e:
    print("KeyError:", e)
