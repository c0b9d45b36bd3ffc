# emu_simd: integer and data-movement semantics of MMX/SSE..SSE4.2 (cpu/sem/simd_*).
# Included from cpu/CMakeLists.txt (and, until then, from tests/unit/simd).
set(EMU_SIMD_DIR ${CMAKE_CURRENT_LIST_DIR})
add_library(emu_simd STATIC
  ${EMU_SIMD_DIR}/simd_int.cpp
  ${EMU_SIMD_DIR}/simd_shift.cpp
  ${EMU_SIMD_DIR}/simd_shuffle.cpp
  ${EMU_SIMD_DIR}/simd_element.cpp
  ${EMU_SIMD_DIR}/simd_string.cpp
  ${EMU_SIMD_DIR}/simd_crc.cpp)
emu_target_defaults(emu_simd)
