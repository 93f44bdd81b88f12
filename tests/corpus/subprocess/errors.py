# subprocess errors: CalledProcessError, TimeoutExpired, FileNotFoundError, bad arguments.
import subprocess

try:
    subprocess.run(["false"], check=True)
except subprocess.CalledProcessError as e:
    print(type(e).__name__, e)
    print(e.returncode, e.cmd, e.output, e.stdout, e.stderr)
    print(isinstance(e, subprocess.SubprocessError), isinstance(e, Exception))
    print(repr(e), e.args)

try:
    subprocess.run("echo partial; echo oops >&2; exit 4", shell=True, capture_output=True,
                   text=True, check=True)
except subprocess.CalledProcessError as e:
    print(e)
    print(repr(e.stdout), repr(e.stderr), e.output is e.stdout)

try:
    subprocess.run(["sh", "-c", "kill -9 $$"], check=True)
except subprocess.CalledProcessError as e:
    print(e.returncode, e)

e = subprocess.CalledProcessError(2, "cmd", b"o", b"e")
print(e, e.stdout, e.stderr)
e.stdout = b"new"
print(e.output)

try:
    subprocess.run(["sleep", "5"], timeout=0.2)
except subprocess.TimeoutExpired as e:
    # (CPython reports the time left, not the timeout given, when nothing is piped.)
    print(type(e).__name__, round(e.timeout, 1))
    print(e.cmd, e.output, e.stdout, e.stderr)
    print(isinstance(e, subprocess.SubprocessError))

try:
    subprocess.run("echo early; sleep 5", shell=True, stdout=subprocess.PIPE, timeout=0.5)
except subprocess.TimeoutExpired as e:
    print(e, e.output)

# The child exits at once, but a grandchild keeps its pipes open past the timeout.
try:
    subprocess.run("sleep 2 & echo quick", shell=True, capture_output=True, timeout=0.3)
except subprocess.TimeoutExpired as e:
    print(e, e.output, e.stderr)

try:
    subprocess.run(["definitely-not-a-program-gilsim"])
except FileNotFoundError as e:
    print(type(e).__name__, e)

try:
    subprocess.run("definitely-not-a-program-gilsim --flag")
except FileNotFoundError as e:
    print(e)

try:
    subprocess.run(["ls"], cwd="/definitely/not/a/dir")
except FileNotFoundError as e:
    print(e)

r = subprocess.run("definitely-not-a-program-gilsim", shell=True, capture_output=True)
print(r.returncode)

for kwargs in [dict(input=b"x", stdin=subprocess.PIPE),
               dict(capture_output=True, stdout=subprocess.PIPE)]:
    try:
        subprocess.run(["cat"], **kwargs)
    except ValueError as e:
        print("ValueError:", e)

try:
    subprocess.check_output(["echo"], stdout=subprocess.PIPE)
except ValueError as e:
    print("ValueError:", e)

# A timeout that does not expire changes nothing, however large.
print(subprocess.run(["echo", "in time"], capture_output=True, timeout=10))
print(subprocess.run(["true"], timeout=1e300))
