# Cross-build emu for an ARM64 Linux host with clang and Debian's multiarch :arm64
# libraries (dpkg --add-architecture arm64). Tests run under qemu-aarch64-static.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(triple aarch64-linux-gnu)
set(CMAKE_C_COMPILER clang)
set(CMAKE_C_COMPILER_TARGET ${triple})
set(CMAKE_CXX_COMPILER clang++)
set(CMAKE_CXX_COMPILER_TARGET ${triple})
set(CMAKE_LIBRARY_ARCHITECTURE ${triple})
# Link statically so the test programs run under qemu-aarch64-static without a sysroot.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -fuse-ld=lld")
set(EMU_PREFER_STATIC_LIBS ON)  # the static link needs the archives (see CMakeLists.txt)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/${triple}/pkgconfig:/usr/share/pkgconfig")
find_program(QEMU_AARCH64 qemu-aarch64-static REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR ${QEMU_AARCH64})
