#!/usr/bin/env python3
"""Bare-metal guests that misbehave, run under emu with a timeout:

  guest_faults.py triple-fault-no-reboot   a guest that triple-faults ends emu with a
                                           clear message and a non-zero status (1)
  guest_faults.py triple-fault-reset       without -no-reboot the machine resets: the
                                           guest starts again (seen 3 times), emu lives
  guest_faults.py runs-wild                a guest reads every I/O port, scribbles over
                                           the physical address space and jumps into
                                           garbage: emu ends cleanly (no signal, one
                                           message line) and -d unimp logged the ports

The guests are Multiboot images (a.out kludge, loaded at 1 MiB, entry 1 MiB + 0x40)
built here from machine code; the assembly is beside each byte string, so no cross
toolchain is needed. They print on the debug console (port 0xE9, -debugcon stdio).
Environment: EMU_BINARY (set by ctest), EMU_ACCEL (the engine: ../emu_accel.py).
"""
import os
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from emu_accel import accel_args  # noqa: E402

LOAD = 0x100000
ENTRY = LOAD + 0x40

# Prints "TRIPLE-FAULT-GUEST\n", loads an empty IDT and executes UD2: #UD cannot be
# delivered (#GP), nor can #GP (#DF), nor #DF: triple fault.
TRIPLE_FAULT_CODE = bytes.fromhex(
    "be60001000"        # 100040 mov esi, msg
    "66bae900"          # 100045 mov dx, 0xe9
    "ac"                # 100049 lodsb
    "84c0"              # 10004a test al, al
    "7403"              # 10004c jz 100051
    "ee"                # 10004e out dx, al
    "ebf8"              # 10004f jmp 100049
    "0f011d5a001000"    # 100051 lidt [idtr]
    "0f0b"              # 100058 ud2
    "000000000000"      # 10005a idtr: limit 0, base 0
) + b"TRIPLE-FAULT-GUEST\n\0"  # 100060 msg

# Prints W, reads every port as byte/word/dword, prints R, writes 300000 pseudo-random
# dwords at pseudo-random physical addresses (sparing its own page), prints M, then
# jumps to a pseudo-random address.
WILD_CODE = bytes.fromhex(
    "66bae900" "b057" "ee" "b00a" "ee"  # 100040 mov dx, 0xe9; mov al, 'W'; out; mov al, 10; out
    "31c9"                              # 10004a xor ecx, ecx
    "6689ca"                            # 10004c mov dx, cx
    "ec" "66ed" "ed"                    # 10004f in al, dx; in ax, dx; in eax, dx
    "41"                                # 100053 inc ecx
    "81f900000100"                      # 100054 cmp ecx, 0x10000
    "72f0"                              # 10005a jb 10004c
    "66bae900" "b052" "ee" "b00a" "ee"  # 10005c print "R\n"
    "bb02293501"                        # 100066 mov ebx, 20261122 (seed)
    "b9e0930400"                        # 10006b mov ecx, 300000
    "69db6d4ec641" "81c339300000"       # 100070 ebx = ebx * 1103515245 + 12345
    "89df" "83e7fc"                     # 10007c mov edi, ebx; and edi, ~3
    "81ff00001000" "7208"               # 100081 cmp edi, 0x100000; jb 100091
    "81ff00101000" "720e"               # 100089 cmp edi, 0x101000; jb 10009f
    "69db6d4ec641" "81c339300000"       # 100091 ebx = ebx * 1103515245 + 12345
    "891f"                              # 10009d mov [edi], ebx
    "e2cf"                              # 10009f loop 100070
    "66bae900" "b04d" "ee" "b00a" "ee"  # 1000a1 print "M\n"
    "69db6d4ec641" "81c339300000"       # 1000ab ebx = ebx * 1103515245 + 12345
    "ffe3"                              # 1000b7 jmp ebx
)


def multiboot_image(code):
    flags = 0x00010003  # page-aligned modules, memory info, a.out kludge addresses
    header = struct.pack("<8I", 0x1BADB002, flags, (-(0x1BADB002 + flags)) & 0xFFFFFFFF,
                         LOAD, LOAD, 0, 0, ENTRY)
    return header + bytes(ENTRY - LOAD - len(header)) + code


def write_guest(directory, name, code):
    path = os.path.join(directory, name)
    with open(path, "wb") as f:
        f.write(multiboot_image(code))
    return path


def run(cmd, timeout):
    """Runs emu; returns (status or None if still running at the timeout, stdout, stderr)."""
    print("running:", " ".join(cmd))
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        try:
            status = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            status = None
        out.seek(0)
        err.seek(0)
        return status, out.read().decode(errors="replace"), err.read().decode(errors="replace")


def fail(what, stdout="", stderr=""):
    print("FAIL: %s\n--- stdout (tail) ---\n%s\n--- stderr (tail) ---\n%s" % (what, stdout[-2000:], stderr[-2000:]),
          file=sys.stderr)
    return 1


def triple_fault_no_reboot(emu, tmp):
    guest = write_guest(tmp, "triple-fault.mb", TRIPLE_FAULT_CODE)
    status, out, err = run([emu, "-nographic", *accel_args(), "-no-reboot", "-kernel", guest, "-debugcon", "stdio"], 60)
    if status is None:
        return fail("emu did not exit after the triple fault", out, err)
    if out.count("TRIPLE-FAULT-GUEST") != 1:
        return fail("the guest did not run exactly once", out, err)
    if status != 1:
        return fail("exit status %d after a triple fault with -no-reboot (expected 1)" % status, out, err)
    lines = [l for l in err.splitlines() if l.strip()]
    if len(lines) != 1 or "triple fault" not in lines[0] or "-no-reboot" not in lines[0]:
        return fail("expected one stderr line naming the triple fault and -no-reboot", out, err)
    print("triple fault with -no-reboot: status 1, %r" % lines[0])
    return 0


def triple_fault_reset(emu, tmp):
    guest = write_guest(tmp, "triple-fault.mb", TRIPLE_FAULT_CODE)
    cmd = [emu, "-nographic", *accel_args(), "-kernel", guest, "-debugcon", "stdio"]
    print("running:", " ".join(cmd))
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = b""
    deadline = time.monotonic() + 60
    try:
        os.set_blocking(proc.stdout.fileno(), False)
        while out.count(b"TRIPLE-FAULT-GUEST") < 3 and time.monotonic() < deadline and proc.poll() is None:
            chunk = proc.stdout.read(4096)
            if chunk:
                out += chunk
            else:
                time.sleep(0.05)
        still_running = proc.poll() is None
    finally:
        proc.kill()
        _, err = proc.communicate()
    text = out.decode(errors="replace")
    if text.count("TRIPLE-FAULT-GUEST") < 3:
        return fail("the machine did not reset and start the guest again (runs seen: %d)"
                    % text.count("TRIPLE-FAULT-GUEST"), text, err.decode(errors="replace"))
    if not still_running:
        return fail("emu exited although -no-reboot was not given", text, err.decode(errors="replace"))
    print("triple fault without -no-reboot: the machine reset, guest ran %d times" % text.count("TRIPLE-FAULT-GUEST"))
    return 0


def runs_wild(emu, tmp):
    guest = write_guest(tmp, "wild.mb", WILD_CODE)
    log = os.path.join(tmp, "unimp.log")
    status, out, err = run([emu, "-nographic", *accel_args(), "-no-reboot", "-kernel", guest, "-debugcon", "stdio",
                            "-d", "unimp", "-D", log], 120)
    if status is not None and status < 0:
        return fail("emu died of signal %d" % -status, out, err)
    for phase in ("W\n", "R\n", "M\n"):
        if phase not in out:
            return fail("the guest did not get through phase %r" % phase.strip(), out, err)
    if status is not None:
        lines = [l for l in err.splitlines() if l.strip()]
        if status not in (0, 1, 3) or len(lines) > 1:
            return fail("emu ended with status %d and %d stderr lines (expected a clean stop)" % (status, len(lines)),
                        out, err)
    with open(log, errors="replace") as f:
        logged = f.read()
    if "unimp: inb port" not in logged or "unimp: write32 to unmapped physical" not in logged:
        return fail("-d unimp did not log the unclaimed ports and unmapped writes", out, logged)
    print("guest running wild: emu %s" % ("still running at the timeout" if status is None else
                                          "ended with status %d: %s" % (status, err.strip())))
    return 0


def main():
    emu = os.environ.get("EMU_BINARY")
    if not emu or not os.access(emu, os.X_OK):
        print("FAIL: EMU_BINARY is not set to the emu executable", file=sys.stderr)
        return 1
    tests = {"triple-fault-no-reboot": triple_fault_no_reboot, "triple-fault-reset": triple_fault_reset,
             "runs-wild": runs_wild}
    if len(sys.argv) != 2 or sys.argv[1] not in tests:
        print("usage: guest_faults.py %s" % "|".join(tests), file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        return tests[sys.argv[1]](emu, tmp)


if __name__ == "__main__":
    sys.exit(main())
