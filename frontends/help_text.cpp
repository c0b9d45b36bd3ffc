// `emu --help` (options grouped as QEMU groups them) and `emu --version`.
#include "frontends/help_text.h"

#ifndef EMU_VERSION_STRING
#error "EMU_VERSION_STRING must be defined by the build (the CMake project version)"
#endif

namespace emu::frontend {

std::string version_text() { return "emu " EMU_VERSION_STRING "\n"; }

std::string usage_text() {
  return R"(usage: emu [options] [disk_image]

A full-system x86-64 PC emulator. Options follow QEMU's spelling; each may be given
with one or two dashes (-m or --m). 'disk_image' alone is the same as -hda disk_image.

Standard options:
  -h, -help, --help       print this help and exit
  -version, --version     print the version and exit
  -machine [type=]pc[,accel=interp|jit|tcg|auto][,pvh=on|off]
                          machine type (only the i440FX 'pc'; -machine help lists);
                          pvh=off boots -kernel bzImages through the ordinary
                          Linux boot protocol instead of the PVH fast path
  -accel interp|jit|tcg|auto[,tb-size=N]
                          CPU engine: interp = the portable interpreter, jit = the
                          translator, auto (default) = the fastest that works here;
                          tcg is accepted as an alias of auto (QEMU compatibility);
                          tb-size = the JIT's code cache in MiB (default 1024,
                          at most 2048; flushed whole when full)
  -smp [cpus=]N[,maxcpus=M,sockets=S,cores=C,threads=T]
                          number of virtual CPUs (1..255; only 1 works yet)
  -m [size=]N[K|M|G|T]    guest RAM; a plain number is MiB (default 512M,
                          16M..64G)
  -name NAME              guest name shown in messages and window titles

Block device options:
  -hda/-hdb/-hdc/-hdd FILE
                          IDE disk image at index 0/1/2/3 (primary master/slave,
                          secondary master/slave)
  -cdrom FILE             CD-ROM image at IDE index 2 (secondary master)
  -drive [file=F][,format=raw|qcow2][,if=ide|floppy|virtio|scsi|none][,index=N]
         [,bus=B,unit=U][,media=disk|cdrom][,readonly=on|off][,snapshot=on|off][,id=ID]
                          a drive; a comma inside a value is written ',,'
  -snapshot               write to temporary copies, never to the image files

Display options:
  -display none|sdl       display back end (sdl only when built with SDL2)
  -nographic              no window; the serial port and the monitor share the
                          terminal (like -serial mon:stdio -display none)

Character device options:
  -serial DEV             next serial port (COM1..COM4): stdio, mon:stdio, null, none,
                          vc, pty, file:PATH, tcp:HOST:PORT, unix:PATH
  -debugcon DEV           debug console port 0xe9 to DEV (same forms as -serial)
  Terminal escapes on mon:stdio / -nographic: Ctrl-A X quit, Ctrl-A H help,
  Ctrl-A C monitor, Ctrl-A B break, Ctrl-A Ctrl-A sends Ctrl-A.

Network options:
  -nic TYPE[,model=e1000|ne2k_pci][,mac=M][,...]
                          a NIC with its back end in one (TYPE user, tap or none)
  -netdev TYPE,id=ID[,...]
                          a network back end (user, tap) for -device ...,netdev=ID
  -device DRIVER[,prop=value...]
                          add a device (-device help lists them), e.g.
                          -device e1000,netdev=n0
                          -device isa-debug-exit,iobase=0xf4,iosize=0x04

Boot options:
  -kernel FILE            Linux bzImage (or multiboot image) to boot directly
  -initrd FILE            initial ram disk for -kernel
  -append CMDLINE         kernel command line for -kernel
  -bios FILE              firmware ROM image
  -no-reboot              exit instead of rebooting
  -config FILE            read an xl-style VM description (name, kernel, ramdisk,
                          extra, memory, vcpus, disk, vif, on_poweroff, on_reboot...);
                          options on the command line override it

Debug options:
  -d ITEM[,...]           enable logging of ITEMs (-d help lists them)
  -D FILE                 write the log to FILE instead of stderr
  -s                      shorthand for -gdb tcp::1234
  -gdb DEV                wait for a gdb connection on DEV (tcp:[HOST]:PORT)
  -S                      do not start the CPU at startup (wait for gdb or monitor)

Exit status: 0 success, 2 invalid command line or configuration, 3 cannot run.
)";
}

}  // namespace emu::frontend
