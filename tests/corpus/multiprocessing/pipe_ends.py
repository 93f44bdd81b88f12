# A pipe end stays open while any process holds a handle of it: recv() raises EOFError once
# every handle of the sending end is closed, whether by close() or by the end of the process
# that held it (a normal exit, sys.exit, SIGKILL), and send() raises BrokenPipeError once every
# handle of the receiving end is. The parent closes its own copy of the child's end first.
import multiprocessing
import os
import signal
import sys
import threading
import time


def send_then(conn, how):
    conn.send(["first", how])
    conn.send("second")
    if how == "return":
        return
    if how == "exit":
        sys.exit(3)
    if how == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if how == "close":
        conn.close()
        time.sleep(0.5)


def drain(conn):
    got = []
    while True:
        try:
            got.append(conn.recv())
        except EOFError as e:
            got.append(repr(e))
            return got


def ends_of_the_sender(how):
    parent_conn, child_conn = multiprocessing.Pipe()
    p = multiprocessing.Process(target=send_then, args=(child_conn, how))
    p.start()
    child_conn.close()
    got = drain(parent_conn)
    p.join()
    print(how, got, p.exitcode, parent_conn.poll())


def sleep_long(conn):
    time.sleep(30)


def killed_while_the_parent_waits():
    r, w = multiprocessing.Pipe(duplex=False)
    p = multiprocessing.Process(target=sleep_long, args=(w,))
    p.start()
    w.close()

    def kill_soon():
        time.sleep(0.3)
        p.kill()

    threading.Thread(target=kill_soon).start()
    print("killed while waiting:", drain(r))
    p.join()
    print("exitcode", p.exitcode)


def die(conn):
    os.kill(os.getpid(), signal.SIGKILL)


def ends_of_the_reader():
    r, w = multiprocessing.Pipe(duplex=False)
    p = multiprocessing.Process(target=die, args=(r,))
    p.start()
    r.close()
    p.join()
    try:
        w.send("nobody reads")
    except BrokenPipeError as e:
        print("send:", type(e).__name__, e)


def relay(source, sink):
    # A reader child forwards what the writer child sends until the writer is gone.
    for item in drain(source):
        sink.send(item)


def between_children():
    r, w = multiprocessing.Pipe(duplex=False)
    out_r, out_w = multiprocessing.Pipe(duplex=False)
    reader = multiprocessing.Process(target=relay, args=(r, out_w))
    writer = multiprocessing.Process(target=send_then, args=(w, "kill"))
    reader.start()
    writer.start()
    for conn in (r, w, out_w):
        conn.close()
    print("between children:", drain(out_r))
    writer.join()
    reader.join()
    print("exitcodes", writer.exitcode, reader.exitcode)


def take_from_queue(q, ack):
    conn = q.get()
    ack.put("got it")
    conn.send("via a queue")


def sent_through_a_queue():
    r, w = multiprocessing.Pipe(duplex=False)
    q, ack = multiprocessing.Queue(), multiprocessing.Queue()
    p = multiprocessing.Process(target=take_from_queue, args=(q, ack))
    p.start()
    q.put(w)
    print(ack.get())
    w.close()
    print("through a queue:", drain(r))
    p.join()


if __name__ == "__main__":
    multiprocessing.set_start_method("spawn")
    for how in ("return", "exit", "kill", "close"):
        ends_of_the_sender(how)
    killed_while_the_parent_waits()
    ends_of_the_reader()
    between_children()
    sent_through_a_queue()
