// Umbrella header for the SIMD integer and data-movement semantics (MMX..SSE4.2), and
// the map from instructions to functions for the opcode table. Conventions: a = the
// destination/first operand, b = the source/second operand (register or loaded memory
// value); n = VecSize::Mmx for the 0F xx forms without 66 prefix that use mm registers
// (low 64 bits read, high 64 bits of the result 0), VecSize::Xmm otherwise.
//
//   PADDB/W/D/Q            padd(a,b,Elem,n)       PSUBB/W/D/Q         psub
//   PADDSB/W PSUBSB/W      padds/psubs            PADDUSB/W PSUBUSB/W paddus/psubus
//   PMULLW/PMULLD          pmull(a,b,W|D,n)       PMULHW/PMULHUW      pmulhw/pmulhuw
//   PMULHRSW               pmulhrsw               PMULUDQ/PMULDQ      pmuludq(a,b,n)/pmuldq
//   PMADDWD/PMADDUBSW      pmaddwd/pmaddubsw      PAVGB/W             pavg
//   PSADBW                 psadbw                 MPSADBW             mpsadbw(a,b,imm)
//   PMINSx/PMINUx/PMAXSx/PMAXUx  pmins/pminu/pmaxs/pmaxu(a,b,Elem,n)
//   PCMPEQx/PCMPGTx        pcmpeq/pcmpgt          PHMINPOSUW          phminposuw(b)
//   PAND PANDN POR PXOR, ANDPS/PD ANDNPS/PD ORPS/PD XORPS/PD  pand/pandn/por/pxor
//   PABSx PSIGNx           pabs(b,..)/psign       PHADDW/D PHSUBW/D   phadd/phsub
//   PHADDSW PHSUBSW        phaddsw/phsubsw
//   PSLLx/PSRLx/PSRAx      psll/psrl/psra(a, count, Elem, n): count = imm8, or
//                          shift_count(b) for the register/memory-count forms
//   PSLLDQ/PSRLDQ          pslldq/psrldq(a,imm)
//   PACKSSWB/DW            packss(a,b,W|D,n)      PACKUSWB/PACKUSDW   packus(a,b,W|D,n)
//   PUNPCKLxx/PUNPCKHxx    punpckl/punpckh(a,b,Elem,n); UNPCKLPS/HPS = D, UNPCKLPD/HPD = Q
//   PSHUFD/PSHUFLW/PSHUFHW/PSHUFW  pshufd/pshuflw/pshufhw/pshufw(b,imm)
//   PSHUFB                 pshufb(a,b,n)          PALIGNR             palignr(a,b,imm,n)
//   SHUFPS/SHUFPD          shufps/shufpd(a,b,imm) INSERTPS            insertps_reg / insertps(a,m32,imm)
//   MOVSLDUP/MOVSHDUP/MOVDDUP  movsldup/movshdup/movddup(b)
//   PEXTRB/W/D/Q EXTRACTPS pextr(b,imm,Elem,n)    PINSRB/W/D/Q        pinsr(a,value,imm,Elem,n)
//   PBLENDW/BLENDPS/BLENDPD  blend(a,b,imm,W|D|Q) PBLENDVB/BLENDVPS/BLENDVPD blendv(a,b,xmm0,B|D|Q)
//   PMOVMSKB/MOVMSKPS/MOVMSKPD  movmsk(b,B|D|Q,n)
//   PMOVSXxy/PMOVZXxy      pmovsx/pmovzx(b,from,to)   PTEST          ptest(a,b) -> ZF, CF
//   PCMPESTRI/M            pcmpestr(a, pcmpstr_length(rax,w), b, pcmpstr_length(rdx,w), imm)
//   PCMPISTRI/M            pcmpistr(a,b,imm): .index -> ECX, .mask -> XMM0, flags
//   CRC32                  crc32c(crc, data, bytes)   PCLMULQDQ      pclmulqdq(a,b,imm)
#pragma once
#include "cpu/sem/simd_crc.h"
#include "cpu/sem/simd_element.h"
#include "cpu/sem/simd_int.h"
#include "cpu/sem/simd_shift.h"
#include "cpu/sem/simd_shuffle.h"
#include "cpu/sem/simd_string.h"
#include "cpu/sem/simd_types.h"
