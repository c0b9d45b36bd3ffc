// Umbrella header for the SIMD integer and data-movement semantics (MMX..SSE4.2).
#pragma once
#include "cpu/sem/simd_crc.h"
#include "cpu/sem/simd_element.h"
#include "cpu/sem/simd_int.h"
#include "cpu/sem/simd_shift.h"
#include "cpu/sem/simd_shuffle.h"
#include "cpu/sem/simd_string.h"
#include "cpu/sem/simd_types.h"
