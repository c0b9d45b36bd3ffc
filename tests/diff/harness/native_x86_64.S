/* Native runner trampolines (x86-64 Linux host only): enter a code snippet with a
   fully specified register state, capture the state when it reaches the exit landing,
   and return to the runner after a signal handler has captured a fault.
   All state goes through emu_native_ctx (layout mirrored by NativeCtx in
   native_runner_x86_64.cpp), addressed RIP-relative so no register is needed. */

        .set CTX_IN_GPR,      0
        .set CTX_IN_RFLAGS,   128
        .set CTX_ENTRY_RIP,   136
        .set CTX_HOST_RSP,    144
        .set CTX_HOST_MXCSR,  152
        .set CTX_HOST_FCW,    156
        .set CTX_OUT_GPR,     160
        .set CTX_OUT_RFLAGS,  288
        .set CTX_IN_SNIPPET,  296
        .set CTX_IN_FX,       320
        .set CTX_OUT_FX,      832
        .set CTX_HOST_FS_BASE, 1344
        .set CTX_HOST_GS_BASE, 1352
        .set CTX_HOST_FS_SEL, 1360
        .set CTX_HOST_GS_SEL, 1362
        .set CTX_HAS_FSGSBASE, 1364
        .set CTX_SEG_CHANGED, 1368
        .set CTX_HAS_AVX,     1376
        .set CTX_ENTRY_FAR,   1384   /* m16:32 far pointer (offset, selector) */
        .set CTX_ENTRY_DS,    1390
        .set CTX_ENTRY_SS,    1392
        .set CTX_HOST_DS,     1394
        .set CTX_HOST_ES,     1396
        .set CTX_HOST_SS,     1398
        .set CTX_OUT_SEG,     1408   /* ES CS SS DS FS GS selectors at the end */
        .set CTX_SIZE,        1472

        .bss
        .balign 64
        .globl emu_native_ctx
        .hidden emu_native_ctx
        .type emu_native_ctx, @object
        .size emu_native_ctx, CTX_SIZE
emu_native_ctx:
        .zero CTX_SIZE

        .text
        .globl emu_native_tramp_begin, emu_native_tramp_end
        .hidden emu_native_tramp_begin, emu_native_tramp_end
        .globl emu_native_enter, emu_native_exit, emu_native_resume
        .hidden emu_native_enter, emu_native_exit, emu_native_resume
        .globl emu_native_fxsave, emu_native_signal_entry, emu_native_far_entry
        .hidden emu_native_fxsave, emu_native_signal_entry, emu_native_far_entry

        .p2align 4
emu_native_tramp_begin:

/* int emu_native_enter(void): runs the snippet; returns 0 when it reached the exit
   landing, 1 when a signal handler redirected it to emu_native_resume. */
        .type emu_native_enter, @function
emu_native_enter:
        pushq %rbx
        pushq %rbp
        pushq %r12
        pushq %r13
        pushq %r14
        pushq %r15
        stmxcsr emu_native_ctx+CTX_HOST_MXCSR(%rip)
        fnstcw emu_native_ctx+CTX_HOST_FCW(%rip)
        movq %rsp, emu_native_ctx+CTX_HOST_RSP(%rip)
        movw %fs, emu_native_ctx+CTX_HOST_FS_SEL(%rip)
        movw %gs, emu_native_ctx+CTX_HOST_GS_SEL(%rip)
        movw %ds, emu_native_ctx+CTX_HOST_DS(%rip)
        movw %es, emu_native_ctx+CTX_HOST_ES(%rip)
        movw %ss, emu_native_ctx+CTX_HOST_SS(%rip)
        cmpl $0, emu_native_ctx+CTX_HAS_AVX(%rip)
        je 1f
        vzeroupper              /* YMM upper halves start as zero in every case */
1:      fxrstor64 emu_native_ctx+CTX_IN_FX(%rip)
        pushq emu_native_ctx+CTX_IN_RFLAGS(%rip)
        popfq
        movq $1, emu_native_ctx+CTX_IN_SNIPPET(%rip)
        /* mov does not change flags: load every GPR, RSP last but one. */
        movq emu_native_ctx+CTX_IN_GPR+0*8(%rip), %rax
        movq emu_native_ctx+CTX_IN_GPR+1*8(%rip), %rcx
        movq emu_native_ctx+CTX_IN_GPR+2*8(%rip), %rdx
        movq emu_native_ctx+CTX_IN_GPR+3*8(%rip), %rbx
        movq emu_native_ctx+CTX_IN_GPR+5*8(%rip), %rbp
        movq emu_native_ctx+CTX_IN_GPR+6*8(%rip), %rsi
        movq emu_native_ctx+CTX_IN_GPR+7*8(%rip), %rdi
        movq emu_native_ctx+CTX_IN_GPR+8*8(%rip), %r8
        movq emu_native_ctx+CTX_IN_GPR+9*8(%rip), %r9
        movq emu_native_ctx+CTX_IN_GPR+10*8(%rip), %r10
        movq emu_native_ctx+CTX_IN_GPR+11*8(%rip), %r11
        movq emu_native_ctx+CTX_IN_GPR+12*8(%rip), %r12
        movq emu_native_ctx+CTX_IN_GPR+13*8(%rip), %r13
        movq emu_native_ctx+CTX_IN_GPR+14*8(%rip), %r14
        movq emu_native_ctx+CTX_IN_GPR+15*8(%rip), %r15
        movq emu_native_ctx+CTX_IN_GPR+4*8(%rip), %rsp
        jmp *emu_native_ctx+CTX_ENTRY_RIP(%rip)
        .size emu_native_enter, .-emu_native_enter

/* Entry for 32- and 16-bit snippets (CTX_ENTRY_RIP points here, all snippet registers
   are loaded): data and stack segments, then a far jump into the snippet's code
   segment. Segment loads and far jumps leave RFLAGS alone. */
        .p2align 4
        .type emu_native_far_entry, @function
emu_native_far_entry:
        movw emu_native_ctx+CTX_ENTRY_DS(%rip), %ds
        movw emu_native_ctx+CTX_ENTRY_DS(%rip), %es
        movw emu_native_ctx+CTX_ENTRY_SS(%rip), %ss
        ljmpl *emu_native_ctx+CTX_ENTRY_FAR(%rip)
        .size emu_native_far_entry, .-emu_native_far_entry

/* Reached from the exit landing in the code region with the snippet's final state. */
        .p2align 4
        .type emu_native_exit, @function
emu_native_exit:
        movq %rax, emu_native_ctx+CTX_OUT_GPR+0*8(%rip)
        movq %rcx, emu_native_ctx+CTX_OUT_GPR+1*8(%rip)
        movq %rdx, emu_native_ctx+CTX_OUT_GPR+2*8(%rip)
        movq %rbx, emu_native_ctx+CTX_OUT_GPR+3*8(%rip)
        movq %rsp, emu_native_ctx+CTX_OUT_GPR+4*8(%rip)
        movq %rbp, emu_native_ctx+CTX_OUT_GPR+5*8(%rip)
        movq %rsi, emu_native_ctx+CTX_OUT_GPR+6*8(%rip)
        movq %rdi, emu_native_ctx+CTX_OUT_GPR+7*8(%rip)
        movq %r8, emu_native_ctx+CTX_OUT_GPR+8*8(%rip)
        movq %r9, emu_native_ctx+CTX_OUT_GPR+9*8(%rip)
        movq %r10, emu_native_ctx+CTX_OUT_GPR+10*8(%rip)
        movq %r11, emu_native_ctx+CTX_OUT_GPR+11*8(%rip)
        movq %r12, emu_native_ctx+CTX_OUT_GPR+12*8(%rip)
        movq %r13, emu_native_ctx+CTX_OUT_GPR+13*8(%rip)
        movq %r14, emu_native_ctx+CTX_OUT_GPR+14*8(%rip)
        movq %r15, emu_native_ctx+CTX_OUT_GPR+15*8(%rip)
        movw %es, emu_native_ctx+CTX_OUT_SEG+0(%rip)
        movw %ss, emu_native_ctx+CTX_OUT_SEG+4(%rip)
        movw %ds, emu_native_ctx+CTX_OUT_SEG+6(%rip)
        movw %fs, emu_native_ctx+CTX_OUT_SEG+8(%rip)
        movw %gs, emu_native_ctx+CTX_OUT_SEG+10(%rip)
        movq emu_native_ctx+CTX_HOST_RSP(%rip), %rsp
        pushfq
        popq emu_native_ctx+CTX_OUT_RFLAGS(%rip)
        fxsave64 emu_native_ctx+CTX_OUT_FX(%rip)
        movq $0, emu_native_ctx+CTX_IN_SNIPPET(%rip)
        xorl %eax, %eax
        jmp .Lrestore_host
        .size emu_native_exit, .-emu_native_exit

/* A signal handler that captured a fault or timeout returns here, with RSP set to
   the saved host stack pointer. */
        .p2align 4
        .type emu_native_resume, @function
emu_native_resume:
        movl $1, %eax
.Lrestore_host:
        /* A 32- or 16-bit snippet ran with its own data and stack segments. */
        movw emu_native_ctx+CTX_HOST_SS(%rip), %ss
        movw emu_native_ctx+CTX_HOST_DS(%rip), %ds
        movw emu_native_ctx+CTX_HOST_ES(%rip), %es
        pushq $0x202            /* DF=0, AC=0, TF=0 as the ABI expects */
        popfq
        fninit
        ldmxcsr emu_native_ctx+CTX_HOST_MXCSR(%rip)
        fldcw emu_native_ctx+CTX_HOST_FCW(%rip)
        /* The snippet may have loaded FS/GS selectors (which can change the bases) or,
           with FSGSBASE, the bases themselves: put the runner's TLS back. */
        movw %fs, %cx
        cmpw emu_native_ctx+CTX_HOST_FS_SEL(%rip), %cx
        je 1f
        movw emu_native_ctx+CTX_HOST_FS_SEL(%rip), %fs
        movq $1, emu_native_ctx+CTX_SEG_CHANGED(%rip)
1:      movw %gs, %cx
        cmpw emu_native_ctx+CTX_HOST_GS_SEL(%rip), %cx
        je 2f
        movw emu_native_ctx+CTX_HOST_GS_SEL(%rip), %gs
        movq $1, emu_native_ctx+CTX_SEG_CHANGED(%rip)
2:      cmpl $0, emu_native_ctx+CTX_HAS_FSGSBASE(%rip)
        je 3f
        movq emu_native_ctx+CTX_HOST_FS_BASE(%rip), %rcx
        wrfsbase %rcx
        movq emu_native_ctx+CTX_HOST_GS_BASE(%rip), %rcx
        wrgsbase %rcx
3:      popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %rbp
        popq %rbx
        ret
        .size emu_native_resume, .-emu_native_resume

emu_native_tramp_end:

/* Signal handler entry: clear AC (a snippet may have set it and glibc code is not
   alignment-clean), then continue in the C++ handler. */
        .p2align 4
        .type emu_native_signal_entry, @function
emu_native_signal_entry:
        pushfq
        andq $~0x40400, (%rsp)
        popfq
        jmp emu_native_signal_handler@PLT
        .size emu_native_signal_entry, .-emu_native_signal_entry

/* uint32_t emu_native_read_cs_ss(void): CS selector | SS selector << 16 */
        .globl emu_native_read_cs_ss
        .hidden emu_native_read_cs_ss
        .p2align 4
        .type emu_native_read_cs_ss, @function
emu_native_read_cs_ss:
        xorl %eax, %eax
        movw %ss, %ax
        shll $16, %eax
        movw %cs, %ax
        ret
        .size emu_native_read_cs_ss, .-emu_native_read_cs_ss

/* void emu_native_fxsave(void* buf512_aligned16) */
        .p2align 4
        .type emu_native_fxsave, @function
emu_native_fxsave:
        fxsave64 (%rdi)
        ret
        .size emu_native_fxsave, .-emu_native_fxsave

        .section .note.GNU-stack,"",@progbits
