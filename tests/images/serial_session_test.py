#!/usr/bin/env python3
"""serial_session_test.py — self-test of serial_session.py against small shell
"guests" (no QEMU needed): ordered matching, typing, timeouts, early exit, exit
status and that the whole process group is killed at the end."""

import os
import sys
import time
import unittest

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serial_session  # noqa: E402

# A guest that prints a prompt, echoes what is typed, evaluates it as arithmetic and
# stops on "quit".
ECHO_GUEST = r'''
echo "booting"; echo "guest: ready"
while printf '> '; read -r line; do
  echo "$line"    # like a terminal's echo of what was typed
  case $line in
    quit) echo "bye"; exit 3 ;;
    *) echo "result-$(($line))" ;;
  esac
done
'''


class SerialSessionTest(unittest.TestCase):
    def run_guest(self, script, timeout=20.0):
        session = serial_session.SerialSession(["sh", "-c", script], timeout=timeout, echo=False)
        self.addCleanup(session.close)
        return session

    def test_expect_send_and_exit_status(self):
        s = self.run_guest(ECHO_GUEST)
        s.expect(r"guest: ready")
        s.expect(r"> $")
        s.send("6*7")
        self.assertEqual(s.expect(r"result-(\d+)").group(1), "42")
        s.send("quit")
        s.expect(r"^bye$")
        self.assertEqual(s.wait_exit(), 3)

    def test_matches_only_output_after_the_previous_match(self):
        s = self.run_guest("echo one; echo two; echo one-again; sleep 30")
        s.expect(r"two")
        # "one" appeared before "two": the next match must be the later line.
        self.assertEqual(s.expect(r"one\S*").group(0), "one-again")
        with self.assertRaises(serial_session.SessionError):
            s.expect(r"two", timeout=0.5)

    def test_timeout_raises_with_the_output_tail(self):
        s = self.run_guest("echo nothing-useful; sleep 30")
        start = time.monotonic()
        with self.assertRaises(serial_session.SessionError) as ctx:
            s.expect(r"never", timeout=1.0)
        self.assertLess(time.monotonic() - start, 10.0)
        self.assertIn("nothing-useful", str(ctx.exception))

    def test_command_exiting_first_is_a_failure(self):
        s = self.run_guest("echo short-lived")
        with self.assertRaises(serial_session.SessionError) as ctx:
            s.expect(r"never")
        self.assertIn("exited", str(ctx.exception))

    def test_close_kills_the_process_group(self):
        s = self.run_guest("sleep 300 & echo child=$!; wait")
        child = int(s.expect(r"child=(\d+)").group(1))
        s.close()
        deadline = time.monotonic() + 10
        alive = True
        while alive and time.monotonic() < deadline:
            try:
                os.kill(child, 0)
                # A zombie waiting for its reaper counts as gone.
                with open("/proc/%d/stat" % child) as f:
                    alive = f.read().split(")")[-1].split()[0] != "Z"
            except (ProcessLookupError, FileNotFoundError):
                alive = False
            if alive:
                time.sleep(0.1)
        self.assertFalse(alive, "the guest's child process survived close()")

    def test_command_line_runs_steps_in_order(self):
        status = serial_session.main(["--quiet", "--timeout", "20",
                                      "--expect", "ready", "--send", "1+1",
                                      "--expect", "^result-2", "--send", "quit",
                                      "--expect-exit", "--", "sh", "-c", ECHO_GUEST])
        self.assertEqual(status, 0)
        # 1+1 is not 3: the session times out and reports failure.
        status = serial_session.main(["--quiet", "--timeout", "3",
                                      "--expect", "ready", "--send", "1+1",
                                      "--expect", "^result-3", "--", "sh", "-c", ECHO_GUEST])
        self.assertEqual(status, 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
