"""The engine a boot test runs emu with: EMU_ACCEL (set by ctest for the `_interp`
variants: interp, or jit) becomes `-accel EMU_ACCEL`; unset, emu picks its default (the
JIT where the host has one). Shared by every boot test script under tests/boot, with
the factor their timeouts for guest work scale by under that engine."""
import os


def accel_args():
    accel = os.environ.get("EMU_ACCEL")
    return ["-accel", accel] if accel else []


def slowdown():
    """The interpreter runs guest code 2-4x slower than the JIT (more on a busy host)."""
    return 4 if os.environ.get("EMU_ACCEL") == "interp" else 1
