#!/usr/bin/env python3
"""Drives `edgelab repl` on a pseudo-terminal (libedit active) as a user would type, for the Swift test
REPLTests.testTerminalSession. Usage: repl_pty.py EDGELAB_BINARY HOME_DIR
Checks: Tab completes a field path (edgelab.sta<Tab> -> edgelab.stats, .mea<Tab> -> .mean), a `local`
declared on one line is usable on the next, an error with a table value shows the table, the session goes
on after an error, Ctrl-D exits with status 0. Prints one "ok <check>" line per check; exits 1 on failure."""
import os, pty, re, select, sys, time

exe, home = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.environ["HOME"] = home
    os.environ["TERM"] = "xterm"
    os.execv(exe, [exe, "repl"])

buf = b""
def read_until(pattern, timeout=30.0):
    """Reads until `pattern` (regex, bytes) matches the output since the last call."""
    global buf
    end = time.time() + timeout
    while time.time() < end:
        m = re.search(pattern, buf, re.S)
        if m:
            buf = buf[m.end():]
            return m
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                break
            if not data:
                break
            buf += data
    sys.stdout.write("FAIL waiting for %r; got %r\n" % (pattern, buf[-400:]))
    sys.exit(1)

def send(b):
    os.write(fd, b)
    time.sleep(0.15)

read_until(rb"Ctrl-D exits\.\r?\n> ")
send(b"local y = 21\r")
read_until(rb"> ")
send(b"y * 2\r")
read_until(rb"\r\n42\r\n> "); print("ok local persists")
# libedit redraws the line after a completion (the echo is not one contiguous string): the evaluated result
# proves the completed text was `edgelab.stats.mean`.
send(b"edgelab.sta\t")
read_until(rb"ts")
send(b".mea\t")
read_until(rb"n")
send(b"({1, 2, 6})\r")
read_until(rb"\r\n3(\.0)?\r\n> "); print("ok tab completion")
send(b"error({code = 42})\r")
read_until(rb"error object: \{code = 42\}.*?> "); print("ok table error")
send(b"print('still here')\r")
read_until(rb"\r\nstill here\r\n> "); print("ok continues")
send(b"\x04")
_, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
if code != 0:
    print("FAIL exit status %d" % code); sys.exit(1)
print("ok exit 0")
