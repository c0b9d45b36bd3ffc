"""The engine a boot test runs emu with: EMU_ACCEL (set by ctest for the `_interp`
variants: interp, or jit) becomes `-accel EMU_ACCEL`; unset, emu picks its default (the
JIT where the host has one). Shared by every boot test script under tests/boot."""
import os


def accel_args():
    accel = os.environ.get("EMU_ACCEL")
    return ["-accel", accel] if accel else []
