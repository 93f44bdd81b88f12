# gilsim's signal: the signal numbers, for os.kill and Process.exitcode. Installing a handler
# is outside the subset.
SIGHUP = 1
SIGINT = 2
SIGQUIT = 3
SIGABRT = 6
SIGKILL = 9
SIGUSR1 = 10
SIGSEGV = 11
SIGUSR2 = 12
SIGPIPE = 13
SIGALRM = 14
SIGTERM = 15
SIGCHLD = 17


def signal(signalnum, handler):
    raise NotImplementedError("signal.signal() is not supported by gilsim (signal handlers)")


def getsignal(signalnum):
    raise NotImplementedError("signal.getsignal() is not supported by gilsim (signal handlers)")
