# subprocess's thin wrappers: call, check_call, check_output, getoutput, getstatusoutput.
import subprocess

print(subprocess.call(["true"]), subprocess.call("exit 5", shell=True))
print(subprocess.check_call(["true"]))
try:
    subprocess.check_call(["sh", "-c", "exit 2"])
except subprocess.CalledProcessError as e:
    print(e, e.output)

print(subprocess.check_output(["echo", "out"]))
print(repr(subprocess.check_output("printf 'a\\nb\\n'", shell=True, text=True)))
print(subprocess.check_output(["cat"], input=b"piped"))
print(subprocess.check_output(["cat"], input=None))
print(repr(subprocess.check_output(["cat"], input=None, text=True)))
try:
    subprocess.check_output("echo got; exit 1", shell=True)
except subprocess.CalledProcessError as e:
    print(e, e.output)

print(subprocess.getoutput("echo hello; echo there >&2"))
print(subprocess.getstatusoutput("echo bad; exit 3"))
print(subprocess.getstatusoutput("printf 'no newline'"))
