# subprocess.run: list and shell commands, captured output, text mode, input, return codes.
import subprocess
import sys

r = subprocess.run(["echo", "hi"], capture_output=True)
print(r)
print(r.args, r.returncode, r.stdout, r.stderr)
print(type(r).__name__, type(r.stdout).__name__)

r = subprocess.run("echo one; echo two >&2; exit 3", shell=True, capture_output=True)
print(repr(r))
print(r.returncode, r.stdout, r.stderr)

r = subprocess.run(["printf", "a\\r\\nb\\rc\\n"], capture_output=True, text=True)
print(repr(r.stdout), repr(r.stderr))
r = subprocess.run(["printf", "a\\r\\nb"], stdout=subprocess.PIPE)
print(r)

# No capture: stdout and stderr stay None. (A child that inherits stdout writes to it directly,
# past the interpreter's buffer: flush first.)
print("before", flush=True)
r = subprocess.run(["true"])
print(r)
r = subprocess.run(["sh", "-c", "exit 7"])
print(r, r.returncode)
sys.stdout.flush()
r = subprocess.run(["echo", "inherited"])
sys.stdout.flush()
print(r)

# input= feeds stdin (bytes, or str in text mode).
r = subprocess.run(["cat"], input=b"fed\nlines\n", capture_output=True)
print(r.stdout)
r = subprocess.run(["tr", "a-z", "A-Z"], input="shout", capture_output=True, text=True)
print(r)
r = subprocess.run(["wc", "-c"], input=b"x" * 300000, capture_output=True)
print(int(r.stdout))
r = subprocess.run(["cat"], input="héllo", capture_output=True, encoding="utf-8")
print(r.stdout, len(r.stdout))

# stdout only, stderr merged, DEVNULL.
r = subprocess.run("echo out; echo err >&2", shell=True, stdout=subprocess.PIPE,
                   stderr=subprocess.STDOUT)
print(r)
r = subprocess.run("echo out; echo err >&2", shell=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)
print(r)
r = subprocess.run(["cat"], stdin=subprocess.DEVNULL, capture_output=True)
print(r)
r = subprocess.run(["cat"], stdin=subprocess.PIPE, capture_output=True)
print(r)

# Shell with extra list items: they become $0, $1, ...
r = subprocess.run(["echo $0-$1", "zero", "one"], shell=True, capture_output=True, text=True)
print(r.stdout, end="")

# cwd and env.
r = subprocess.run(["pwd"], cwd="/", capture_output=True, text=True)
print(r.stdout, end="")
r = subprocess.run(["/usr/bin/env"], env={"ONLY": "this"}, capture_output=True, text=True)
print(r.stdout, end="")

# Keyword args=, a tuple of arguments.
r = subprocess.run(args=("echo", "tuple"), capture_output=True)
print(r)

# The constants.
print(subprocess.PIPE, subprocess.STDOUT, subprocess.DEVNULL)

# check_returncode on a finished process.
subprocess.run(["true"]).check_returncode()
r = subprocess.run(["false"])
try:
    r.check_returncode()
except subprocess.CalledProcessError as e:
    print("check_returncode:", e)
