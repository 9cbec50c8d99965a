/*
 * vfork and clone, interposed only to keep writer_ids.c honest: the program
 * sees libc's behaviour, return values and errno unchanged.
 *
 * vfork returns twice on one stack: the child runs first, on the parent's
 * stack and memory, and may call anything below the vfork caller's frame,
 * overwriting it. A C wrapper would return into a frame the child has
 * clobbered, so the x86_64 interposer is assembly that keeps nothing on the
 * stack across the system call: the caller's return address waits in a
 * register the kernel preserves (rdi). The child goes back with an indirect
 * jump rather than a return, so it pops nothing off a shadow stack it shares
 * with its parent. Around the system call the thread's vfork depth is
 * raised: the child (same TLS) sees it raised and asks the kernel who it is;
 * only the parent lowers it, so a vfork inside a vfork child nests.
 *
 * Other architectures keep libc's vfork; writer_ids.c keeps nothing there.
 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <sys/syscall.h>

#include "real.h"
#include "shim.h"
#include "writer_ids.h"

#if defined(__x86_64__)

/* Called by the assembly below, on an aligned stack. */
__attribute__((used, visibility("hidden"))) void shim_vfork_before(void)
{
    shim_vfork_depth++;
}

/* In the parent, after the system call: its result as libc's vfork returns
 * it (-1 with errno for an error). */
__attribute__((used, visibility("hidden"))) long shim_vfork_after(long result)
{
    shim_vfork_depth--;
    if ((unsigned long)result >= -4095UL) {
        errno = (int)-result;
        return -1;
    }
    return result;
}

#define VFORK_TEXT(x) #x
#define VFORK_NUMBER(x) VFORK_TEXT(x)

#if defined(__CET__) && (__CET__ & 1)
#define SHIM_BRANCH_TARGET "endbr64\n"
#else
#define SHIM_BRANCH_TARGET ""
#endif

__asm__(".text\n"
        ".globl vfork\n"
        ".type vfork, @function\n"
        ".globl __vfork\n"
        ".type __vfork, @function\n"
        ".p2align 4\n"
        "vfork:\n"
        "__vfork:\n"
        ".cfi_startproc\n" SHIM_BRANCH_TARGET
        /* entry: rsp is 8 off 16-byte alignment (the return address) */
        "subq $8, %rsp\n"
        ".cfi_adjust_cfa_offset 8\n"
        "call shim_vfork_before\n"
        "addq $8, %rsp\n"
        ".cfi_adjust_cfa_offset -8\n"
        "popq %rdi\n"
        ".cfi_adjust_cfa_offset -8\n"
        ".cfi_register %rip, %rdi\n"
        "movl $" VFORK_NUMBER(__NR_vfork) ", %eax\n"
        "syscall\n"
        "testq %rax, %rax\n"
        "jnz 1f\n"
        /* the child: back to the caller, stack as after a return */
        "jmp *%rdi\n"
        "1:\n"
        /* the parent: the child has exec'd or ended, the stack is ours */
        "pushq %rdi\n"
        ".cfi_adjust_cfa_offset 8\n"
        ".cfi_offset %rip, -8\n"
        "subq $8, %rsp\n"
        ".cfi_adjust_cfa_offset 8\n"
        "movq %rax, %rdi\n"
        "call shim_vfork_after\n"
        "addq $8, %rsp\n"
        ".cfi_adjust_cfa_offset -8\n"
        "ret\n"
        ".cfi_endproc\n"
        ".size vfork, .-vfork\n"
        ".size __vfork, .-__vfork\n");

#endif /* __x86_64__ */

/* The flags under which clone reads each optional argument (clone(2)). */
#define WANTS_CHILD_TID (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)
#define WANTS_TLS (CLONE_SETTLS | WANTS_CHILD_TID)
#define WANTS_PARENT_TID (CLONE_PARENT_SETTID | CLONE_PIDFD | WANTS_TLS)

static int clone_through(int (*fn)(void *), void *stack, int flags, void *arg, va_list more)
{
    /* A child on our memory, perhaps on this thread's TLS, beside a running
     * parent: no kept id can be trusted in either any more. */
    if (flags & CLONE_VM)
        shim_writer_ids_off();
    pid_t *parent_tid = (flags & WANTS_PARENT_TID) ? va_arg(more, pid_t *) : NULL;
    void *tls = (flags & WANTS_TLS) ? va_arg(more, void *) : NULL;
    pid_t *child_tid = (flags & WANTS_CHILD_TID) ? va_arg(more, pid_t *) : NULL;
    shim_real_clone_fn *real = SHIM_REAL(clone);
    if (real == NULL) {
        errno = ENOSYS;
        return -1;
    }
    return real(fn, stack, flags, arg, parent_tid, tls, child_tid);
}

SHIM_EXPORT int clone(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
    va_list more;
    va_start(more, arg);
    int result = clone_through(fn, stack, flags, arg, more);
    va_end(more);
    return result;
}

SHIM_EXPORT int __clone(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
    va_list more;
    va_start(more, arg);
    int result = clone_through(fn, stack, flags, arg, more);
    va_end(more);
    return result;
}
