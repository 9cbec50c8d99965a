/*
 * inherit: false — programs this one starts lose the LD_PRELOAD item naming
 * this library (other items stay; an LD_PRELOAD left empty is dropped).
 *
 * Two edits do it. At start-up the process's own environment is edited in
 * place, which covers every child made from `environ`, including those
 * system() and popen() start inside glibc where no interposer sees them;
 * the program's own getenv("LD_PRELOAD") then no longer names the shim.
 * And every exec and posix_spawn interposer edits the environment it is
 * handed, for programs (shells) that build their own. That edit never
 * allocates: the caller provides the room on its stack, since exec may run
 * in a vfork child that shares the parent's heap and must not touch it.
 */
#ifndef SHIM_EXEC_ENV_H
#define SHIM_EXEC_ENV_H

#include <stdbool.h>
#include <stddef.h>

typedef struct shim_env_plan {
    size_t entries;     /* entries of envp, without its NULL */
    size_t value_room;  /* bytes the rewritten LD_PRELOAD entries need */
} shim_env_plan;

/* Edits `environ` in place (start-up only: no other thread may run). */
void shim_exec_strip_environ(void);

/* True when `envp` must be edited; fills `plan` with the room it needs. */
bool shim_env_plan_edit(char *const envp[], shim_env_plan *plan);

/* Writes the edited environment into `slots` (plan->entries + 1 pointers)
 * and `values` (plan->value_room bytes) and returns it. */
char *const *shim_env_edit(char *const envp[], const shim_env_plan *plan, char **slots,
                           char *values);

/*
 * Declares `edited` as `envp` itself, or as its edited copy on this stack
 * frame when inherit is false and envp names this library. Use it in the
 * function that then calls exec, so the copy lives until the call.
 */
#define SHIM_EXEC_ENV(edited, envp)                                                            \
    shim_env_plan edited##_plan;                                                               \
    bool edited##_edit = shim_env_plan_edit((envp), &edited##_plan);                           \
    char *edited##_slots[edited##_edit ? edited##_plan.entries + 1 : 1];                       \
    char edited##_values[edited##_edit ? edited##_plan.value_room : 1];                        \
    char *const *edited = edited##_edit ? shim_env_edit((envp), &edited##_plan, edited##_slots, \
                                                        edited##_values)                       \
                                        : (envp)

#endif /* SHIM_EXEC_ENV_H */
