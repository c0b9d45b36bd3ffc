#!/usr/bin/env python3
"""serial_session.py — drive a guest's serial console through a command's stdio.

Starts a command (QEMU with -nographic, emu with -nographic, ...), waits for regular
expressions in its output, types lines into its input, and kills it at the end, all
under a hard timeout. Generic: it knows nothing about QEMU or the guest.

Command line (steps run in the order given):

    serial_session.py [--timeout S] [--log FILE] [--quiet] [--char-delay S]
                      --expect REGEX --send LINE --expect REGEX ... [--expect-exit]
                      -- COMMAND [ARGS...]

    --expect REGEX   wait until REGEX (Python re, MULTILINE) matches output that came
                     after the previous match
    --send LINE      type LINE and a newline
    --expect-exit    wait for the command to exit by itself (e.g. after poweroff)
    --timeout S      hard limit for the whole session (default 240, or the environment
                     variable SERIAL_SESSION_TIMEOUT)
    --char-delay S   pause between typed characters (for a UART without flow control)

Exit status 0 when every step succeeded; 1 when a step failed (timeout, or the command
exited first), with the awaited pattern and the tail of the output on stderr; 2 for
usage errors. The time of every match is reported on stderr ("[  12.3s] matched ...").

As a module: SerialSession(argv).expect(regex), .send(line), .wait_exit(), .close().
"""

import argparse
import os
import re
import selectors
import signal
import subprocess
import sys
import time


class SessionError(Exception):
    """A step did not succeed (timeout, or the command ended first)."""


class SerialSession:
    def __init__(self, argv, timeout=240.0, log_path=None, echo=True, char_delay=0.0):
        self.start_time = time.monotonic()
        self.deadline = self.start_time + timeout
        self.output = ""
        self.pos = 0            # output before this index is consumed by earlier matches
        self.echo = echo
        self.char_delay = char_delay
        self.log = open(log_path, "w", encoding="utf-8") if log_path else None
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True)
        os.set_blocking(self.proc.stdout.fileno(), False)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.proc.stdout, selectors.EVENT_READ)
        self.eof = False

    def elapsed(self):
        return time.monotonic() - self.start_time

    def note(self, text):
        sys.stderr.write("[%7.1fs] %s\n" % (self.elapsed(), text))
        sys.stderr.flush()

    def _read_some(self, until):
        """Read what is available, waiting at most until `until` (monotonic)."""
        if self.eof:
            return
        wait = max(0.0, until - time.monotonic())
        if not self.selector.select(timeout=wait):
            return
        try:
            data = os.read(self.proc.stdout.fileno(), 65536)
        except BlockingIOError:
            return
        if not data:
            self.eof = True
            return
        text = data.decode("utf-8", errors="replace")
        self.output += text
        if self.echo:
            sys.stdout.write(text)
            sys.stdout.flush()
        if self.log:
            self.log.write(text)
            self.log.flush()

    def _fail(self, what):
        tail = self.output[-3000:]
        raise SessionError("%s after %.1fs\n----- last output -----\n%s\n-----------------------"
                           % (what, self.elapsed(), tail))

    def expect(self, pattern, timeout=None):
        """Wait for `pattern` in the output after the previous match; return the match."""
        regex = re.compile(pattern, re.MULTILINE)
        until = self.deadline if timeout is None else min(self.deadline, time.monotonic() + timeout)
        while True:
            match = regex.search(self.output, self.pos)
            if match:
                self.pos = match.end()
                self.note("matched %r" % pattern)
                return match
            if self.eof:
                self._fail("command exited (status %s) while waiting for %r"
                           % (self.proc.poll(), pattern))
            if time.monotonic() >= until:
                self._fail("timeout waiting for %r" % pattern)
            self._read_some(until)

    def send(self, line):
        """Type `line` and a newline into the command's input."""
        data = (line + "\n").encode("utf-8")
        try:
            if self.char_delay > 0:
                for i in range(len(data)):
                    self.proc.stdin.write(data[i:i + 1])
                    self.proc.stdin.flush()
                    time.sleep(self.char_delay)
            else:
                self.proc.stdin.write(data)
                self.proc.stdin.flush()
        except BrokenPipeError:
            self._fail("command exited before %r could be sent" % line)
        self.note("sent %r" % line)

    def wait_until_shell_answers(self, tries=10):
        """Types `echo marker-$((6*7))` until the shell answers marker-42. Busybox ash
        asks the terminal for the cursor position (ESC[6n) when it prints its prompt and
        eats what is typed while it waits for the reply, so the first line can be lost."""
        for attempt in range(tries):
            self.send("echo marker-$((6*7))")
            try:
                self.expect(r"^marker-42\r?$", timeout=30)
                return
            except SessionError:
                if attempt == tries - 1:
                    raise

    def wait_exit(self, timeout=None):
        """Wait for the command to end by itself; return its exit status."""
        until = self.deadline if timeout is None else min(self.deadline, time.monotonic() + timeout)
        while not self.eof:
            if time.monotonic() >= until:
                self._fail("timeout waiting for the command to exit")
            self._read_some(until)
        remaining = max(0.1, until - time.monotonic())
        try:
            status = self.proc.wait(timeout=remaining)
        except subprocess.TimeoutExpired:
            self._fail("timeout waiting for the command to exit (output closed)")
        self.note("command exited with status %d" % status)
        return status

    def close(self):
        """Kill the command (its whole process group) if it still runs."""
        if self.proc.poll() is None:
            for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(timeout=grace)
                    break
                except subprocess.TimeoutExpired:
                    continue
        self.selector.close()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        if self.log:
            self.log.close()
            self.log = None


class _StepAction(argparse.Action):
    """Collects --expect/--send/--expect-exit into one ordered list."""

    def __call__(self, parser, namespace, values, option_string=None):
        steps = getattr(namespace, "steps", None) or []
        steps.append((self.dest, values))
        namespace.steps = steps


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Start a command, wait for regexes on its output, type lines into it.")
    parser.add_argument("--timeout", type=float,
                        default=float(os.environ.get("SERIAL_SESSION_TIMEOUT", "240")))
    parser.add_argument("--log", help="also write the whole output to this file")
    parser.add_argument("--quiet", action="store_true", help="do not copy the output to stdout")
    parser.add_argument("--char-delay", type=float, default=0.0)
    parser.add_argument("--expect", dest="expect", action=_StepAction, metavar="REGEX")
    parser.add_argument("--send", dest="send", action=_StepAction, metavar="LINE")
    parser.add_argument("--expect-exit", dest="expect_exit", action=_StepAction, nargs=0)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.command and args.command[0] == "--":
        args.command = args.command[1:]
    if not args.command:
        parser.error("no command given (put it after --)")
    if not getattr(args, "steps", None):
        parser.error("no steps given (--expect / --send / --expect-exit)")
    return args


def main(argv):
    args = parse_args(argv)
    try:
        session = SerialSession(args.command, timeout=args.timeout, log_path=args.log,
                                echo=not args.quiet, char_delay=args.char_delay)
    except OSError as err:
        sys.stderr.write("serial_session: cannot start %s: %s\n" % (args.command[0], err))
        return 1
    try:
        for number, (kind, value) in enumerate(args.steps, 1):
            if kind == "expect":
                session.expect(value)
            elif kind == "send":
                session.send(value)
            else:
                session.wait_exit()
        return 0
    except SessionError as err:
        sys.stderr.write("serial_session: FAILED at step %d: %s\n" % (number, err))
        return 1
    finally:
        session.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
