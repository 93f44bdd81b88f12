# gilsim's subprocess module: CPython's API, classes and messages over the native _run
# (src/modules/subprocess.rs), which starts the child, feeds and drains its pipes and waits for
# it with the GIL released. PIPE, STDOUT, DEVNULL and _run are set by the native init first.

# Signal numbers as CPython's signal.Signals names them (Linux), for "died with <Signals...>".
_SIGNALS = {1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP",
            6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1",
            11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM"}


class SubprocessError(Exception):
    pass


# `stdout` is another name for `output` on both errors, as in CPython.
_output_alias = property(lambda self: self.output, lambda self, v: setattr(self, "output", v))


class CalledProcessError(SubprocessError):
    """Raised when run() is called with check=True and the process returns a non-zero exit
    status."""

    def __init__(self, returncode, cmd, output=None, stderr=None):
        self.returncode = returncode
        self.cmd = cmd
        self.output = output
        self.stderr = stderr

    def __str__(self):
        if self.returncode and self.returncode < 0:
            sig = -self.returncode
            if sig in _SIGNALS:
                return "Command '%s' died with <Signals.%s: %d>." % (
                    self.cmd, _SIGNALS[sig], sig)
            return "Command '%s' died with unknown signal %d." % (self.cmd, sig)
        return "Command '%s' returned non-zero exit status %d." % (
            self.cmd, self.returncode)

    stdout = _output_alias


class TimeoutExpired(SubprocessError):
    """Raised when the timeout expires while waiting for a child process."""

    def __init__(self, cmd, timeout, output=None, stderr=None):
        self.cmd = cmd
        self.timeout = timeout
        self.output = output
        self.stderr = stderr

    def __str__(self):
        return "Command '%s' timed out after %s seconds" % (self.cmd, self.timeout)

    stdout = _output_alias


class CompletedProcess:
    """The return value of run(): the args, the exit status and the captured output."""

    def __init__(self, args, returncode, stdout=None, stderr=None):
        self.args = args
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr

    def __repr__(self):
        args = ['args={!r}'.format(self.args),
                'returncode={!r}'.format(self.returncode)]
        if self.stdout is not None:
            args.append('stdout={!r}'.format(self.stdout))
        if self.stderr is not None:
            args.append('stderr={!r}'.format(self.stderr))
        return "{}({})".format(type(self).__name__, ', '.join(args))

    def check_returncode(self):
        if self.returncode:
            raise CalledProcessError(self.returncode, self.args, self.stdout,
                                     self.stderr)


def _translate_newlines(data, encoding, errors):
    data = data.decode(encoding, errors)
    return data.replace("\r\n", "\n").replace("\r", "\n")


def run(args, *, stdin=None, input=None, stdout=None, stderr=None,
        capture_output=False, shell=False, cwd=None, timeout=None, check=False,
        encoding=None, errors=None, text=None, env=None, universal_newlines=None):
    if input is not None:
        if stdin is not None:
            raise ValueError('stdin and input arguments may not both be used.')
        stdin = PIPE
    if capture_output:
        if stdout is not None or stderr is not None:
            raise ValueError('stdout and stderr arguments may not be used '
                             'with capture_output.')
        stdout = PIPE
        stderr = PIPE
    text_mode = encoding or errors or text or universal_newlines
    if text_mode:
        encoding = encoding or "utf-8"
        errors = errors or "strict"
        if input is not None:
            input = input.encode(encoding, errors)
    if isinstance(args, (str, bytes)):
        argv = [args]
    else:
        argv = list(args)
    if shell:
        argv = ["/bin/sh", "-c"] + argv
    returncode, out, err, timed_out = _run(argv, stdin, input, stdout, stderr, cwd,
                                           env, timeout)
    if timed_out:
        # As CPython on POSIX: the output read so far, undecoded, and no stderr.
        raise TimeoutExpired(args, timeout, output=out)
    if text_mode:
        if out is not None:
            out = _translate_newlines(out, encoding, errors)
        if err is not None:
            err = _translate_newlines(err, encoding, errors)
    if check and returncode:
        raise CalledProcessError(returncode, args, output=out, stderr=err)
    return CompletedProcess(args, returncode, out, err)


def call(*popenargs, timeout=None, **kwargs):
    return run(*popenargs, timeout=timeout, **kwargs).returncode


def check_call(*popenargs, **kwargs):
    retcode = call(*popenargs, **kwargs)
    if retcode:
        cmd = kwargs.get("args")
        if cmd is None:
            cmd = popenargs[0]
        raise CalledProcessError(retcode, cmd)
    return 0


def check_output(*popenargs, timeout=None, **kwargs):
    for kw in ('stdout', 'check'):
        if kw in kwargs:
            raise ValueError(f'{kw} argument not allowed, it will be overridden.')
    if 'input' in kwargs and kwargs['input'] is None:
        if (kwargs.get('universal_newlines') or kwargs.get('text')
                or kwargs.get('encoding') or kwargs.get('errors')):
            kwargs['input'] = ''
        else:
            kwargs['input'] = b''
    return run(*popenargs, stdout=PIPE, timeout=timeout, check=True, **kwargs).stdout


def getstatusoutput(cmd, *, encoding=None, errors=None):
    try:
        data = check_output(cmd, shell=True, text=True, stderr=STDOUT,
                            encoding=encoding, errors=errors)
        exitcode = 0
    except CalledProcessError as ex:
        data = ex.output
        exitcode = ex.returncode
    if data[-1:] == '\n':
        data = data[:-1]
    return exitcode, data


def getoutput(cmd, *, encoding=None, errors=None):
    return getstatusoutput(cmd, encoding=encoding, errors=errors)[1]
