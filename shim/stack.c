/*
 * Running a function on a stack of the shim's own. A signal handler on a
 * small alternate stack (a crash reporter's) has room for what it does
 * itself, not for building an event: that part runs on a stack the thread
 * context keeps (thread.c). The switch is a few instructions: the stack
 * pointer is saved in a callee-saved register, set to the new stack's top,
 * the function called, and the old pointer put back. Everything the ABI
 * lets a call clobber is declared clobbered.
 */
#include <stdbool.h>
#include <stdint.h>

#include "shim.h"

bool shim_stack_switch_supported(void)
{
#if defined(__x86_64__) || defined(__aarch64__)
    return true;
#else
    return false;
#endif
}

void shim_call_on_stack(void (*fn)(void *), void *arg, void *top)
{
    /* The ABI wants a 16-byte aligned stack at the call. */
    uintptr_t aligned = (uintptr_t)top & ~(uintptr_t)15;
#if defined(__x86_64__)
    register void *arg_register __asm__("rdi") = arg;
    __asm__ volatile("mov %%rsp, %%rbx\n\t"
                     "mov %[top], %%rsp\n\t"
                     "call *%[fn]\n\t"
                     "mov %%rbx, %%rsp\n\t"
                     : "+r"(arg_register)
                     : [fn] "r"(fn), [top] "r"(aligned)
                     : "rbx", "rax", "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "memory",
                       "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
                       "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15",
                       "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)");
#elif defined(__aarch64__)
    register void *arg_register __asm__("x0") = arg;
    __asm__ volatile("mov x19, sp\n\t"
                     "mov sp, %[top]\n\t"
                     "blr %[fn]\n\t"
                     "mov sp, x19\n\t"
                     : "+r"(arg_register)
                     : [fn] "r"(fn), [top] "r"(aligned)
                     : "x19", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
                       "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x30", "memory", "cc",
                       "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v16", "v17", "v18",
                       "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28",
                       "v29", "v30", "v31");
#else
    (void)aligned;
    fn(arg);
#endif
}
