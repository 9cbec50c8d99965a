/*
 * Per-thread state: the line assemblers of stderr and stdout (one each, so
 * that the two never share a line), scratch space for formatting,
 * and the rules engine's state with an event builder. A context is mmap'ed
 * (mmap is async-signal-safe, malloc is not) the first time a thread has
 * something to capture; the engine part is created with its first message.
 *
 * Contexts are never unmapped: a pthread key destructor emits the exiting
 * thread's unfinished lines and gives its context back to a list of all of
 * them, where the next new thread takes it, engine and all. So the process
 * keeps as many as it ever had threads logging at once, and whoever ends
 * the process (exit, _exit, abort) can read every thread's unfinished lines
 * safely: a line another thread has not finished when the process ends is
 * on stderr (or stdout) too.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "shim.h"

/* The sources assembled into lines, as indexes of a thread's assemblers. */
enum { OUT_STDERR, OUT_STDOUT, OUTPUTS };
_Static_assert((int)OUTPUTS == (int)SHIM_OUTPUTS && OUT_STDERR == 0, "the hot part's assemblers (shim.h)");

static const ehs_source output_source[OUTPUTS] = { EHS_SOURCE_STDERR, EHS_SOURCE_STDOUT };
static shim_line_sink *const output_sink[OUTPUTS] = { shim_stderr_line_done,
                                                      shim_stdout_line_done };

struct __attribute__((aligned(16))) shim_thread {
    shim_thread_hot hot;       /* first: what every message reads (shim.h) */
    shim_line vfork_lines[OUTPUTS]; /* the same for a vfork child of this thread, */
    pid_t vfork_pid;           /* which is this process */
    ehs_grouper groups[OUTPUTS]; /* records of a source with "multiline" (spec
                                    NULL: the source is not grouped) */
    uintptr_t group_locks[OUTPUTS]; /* who works on each grouper (group.c) */
    char *scratch;             /* formatting space for printf-style messages */
    size_t scratch_capacity;
    const ehs_config *pinned;  /* the config a build of this thread uses now, or
                                  NULL: reload.c frees no config a thread pins */
    char *work_stack;          /* for events made on a small stack (emit.c) */
    char *copy_space[SHIM_COPY_SLOTS]; /* a stream buffer's waiting bytes
                                          (io_buffered.c), a journal entry */
    size_t copy_capacity[SHIM_COPY_SLOTS];
    size_t mapping_size;       /* bytes mmap'ed for this context */
    shim_thread *next;         /* the list of all contexts */
    int in_use;                /* a thread has it (atomic) */
};

/* shim.h reads a context as its hot part. */
_Static_assert(offsetof(struct shim_thread, hot) == 0, "the hot part comes first");

/* Every context made, newest first; entries are only ever added. */
static shim_thread *all_threads;

static size_t line_capacity = 1;
static bool stdout_lines;      /* stdout is captured: its assemblers get storage */
static size_t scratch_capacity = 1024;
static const ehs_multiline *group_specs[OUTPUTS]; /* NULL: not grouped */
bool shim_grouped_sources[EHS_SOURCE_COUNT];
static pthread_key_t thread_key;

__thread shim_thread *shim_tls_thread SHIM_TLS;

/* The work stack, with a guard page below it: an overflow faults there
 * instead of writing into whatever is mapped next. */
enum { WORK_STACK_BYTES = 128 * 1024, GUARD_BYTES = 4096 };

/* pthread key destructor: runs in the exiting thread. */
static void thread_exit(void *context)
{
    shim_thread *thread = context;
    int saved_errno = errno;
    shim_busy_enter();
    for (int i = 0; i < OUTPUTS; i++) {
        shim_line_flush(&thread->hot.lines[i], output_sink[i], thread);
        shim_group_flush(thread, thread, output_source[i]);
    }
    shim_tls_thread = NULL;
    __atomic_store_n(&thread->in_use, 0, __ATOMIC_RELEASE);
    shim_busy_leave();
    errno = saved_errno;
}

/* Forgets every unfinished line and record of `thread`, a vfork child's
 * too. `unlock`: also frees the groupers' lock words (after fork, where no
 * other thread is left to hold one); a context reused by a new thread
 * keeps them, as a checker may still be at work on it (the word names the
 * context, so the new thread takes back what the old one left held). */
static void discard_lines(shim_thread *thread, bool unlock)
{
    for (int i = 0; i < OUTPUTS; i++) {
        shim_line_discard(&thread->hot.lines[i]);
        shim_line_discard(&thread->vfork_lines[i]);
        if (thread->groups[i].spec != NULL && unlock)
            ehs_grouper_discard(&thread->groups[i]);
        if (unlock)
            thread->group_locks[i] = 0;
    }
    thread->vfork_pid = 0;
}

/* A context a thread gave back, now this thread's; NULL when none is free. */
static shim_thread *reuse_context(void)
{
    for (shim_thread *t = __atomic_load_n(&all_threads, __ATOMIC_ACQUIRE); t != NULL;
         t = t->next) {
        int expected = 0;
        if (__atomic_load_n(&t->in_use, __ATOMIC_RELAXED) == 0 &&
            __atomic_compare_exchange_n(&t->in_use, &expected, 1, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED)) {
            discard_lines(t, false);
            return t;
        }
    }
    return NULL;
}

static void add_context(shim_thread *thread)
{
    shim_thread *head = __atomic_load_n(&all_threads, __ATOMIC_RELAXED);
    do
        thread->next = head;
    while (!__atomic_compare_exchange_n(&all_threads, &head, thread, true, __ATOMIC_RELEASE,
                                        __ATOMIC_RELAXED));
}

int shim_thread_setup(size_t max_message_bytes, bool with_stdout)
{
    if (max_message_bytes > ((size_t)1 << 30))
        max_message_bytes = (size_t)1 << 30;
    /* The engine strips a "<N>" level prefix (at most "<007>") before it
     * measures the message, so keep room for it: otherwise a prefixed line
     * would be cut to max_message_bytes minus the prefix and reach the
     * engine looking short enough, losing its `truncated` flag. The +1 is
     * what tells the engine the message was longer than the limit. */
    size_t room = max_message_bytes + EHS_STDERR_PREFIX_MAX + 1;
    line_capacity = room;
    stdout_lines = with_stdout;
    for (int i = 0; i < OUTPUTS; i++) {
        group_specs[i] = (i == OUT_STDERR || with_stdout) && shim_config != NULL
                             ? shim_config->multiline[output_source[i]]
                             : NULL;
        shim_grouped_sources[output_source[i]] = group_specs[i] != NULL;
    }
    scratch_capacity = room + 1 > 1024 ? room + 1 : 1024;
    return pthread_key_create(&thread_key, thread_exit);
}

shim_thread *shim_thread_make(void)
{
    shim_thread *thread;
    /* A vfork child runs on its parent's memory: a context made here would
     * belong to the parent's thread and leak a mapping into the parent. */
    if (getpid() != shim_pid)
        return NULL;
    int saved_errno = errno;
    thread = reuse_context();
    if (thread == NULL) {
        long page = sysconf(_SC_PAGESIZE);
        /* The scratch space also holds wide characters: keep it aligned. */
        size_t line_room = (line_capacity + 15) & ~(size_t)15;
        size_t scratch_offset = (stdout_lines ? 4 : 2) * line_room;
        size_t group_offset = scratch_offset + ((scratch_capacity + 15) & ~(size_t)15);
        size_t group_bytes = 0;
        for (int i = 0; i < OUTPUTS; i++)
            group_bytes += ehs_grouper_storage_size(group_specs[i]);
        size_t size = sizeof(*thread) + group_offset + group_bytes;
        if (page > 0)
            size = (size + (size_t)page - 1) & ~((size_t)page - 1);
        void *memory =
            mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (memory == MAP_FAILED) {
            errno = saved_errno;
            return NULL;
        }
        thread = memory;
        char *storage = (char *)(thread + 1);
        for (int i = 0; i < OUTPUTS; i++) {
            if (i == OUT_STDOUT && !stdout_lines) {
                /* No room: never fed, as no descriptor is stdout then
                 * (fdtrack.c), and shim_thread_line says NULL. */
                thread->hot.lines[i] = (shim_line){ 0 };
                thread->vfork_lines[i] = (shim_line){ 0 };
                continue;
            }
            shim_line_init(&thread->hot.lines[i], storage, line_capacity);
            shim_line_init(&thread->vfork_lines[i], storage + line_room, line_capacity);
            storage += 2 * line_room;
        }
        thread->vfork_pid = 0;
        char *group_storage = (char *)(thread + 1) + group_offset;
        for (int i = 0; i < OUTPUTS; i++) {
            size_t bytes = ehs_grouper_storage_size(group_specs[i]);
            ehs_grouper_init(&thread->groups[i], group_specs[i], group_storage, bytes,
                             shim_group_clock);
            thread->group_locks[i] = 0;
            group_storage += bytes;
        }
        thread->scratch = (char *)(thread + 1) + scratch_offset;
        thread->scratch_capacity = scratch_capacity;
        thread->hot.engine = NULL;
        thread->hot.engine_config = NULL;
        thread->pinned = NULL;
        thread->hot.now_ms = 0;
        thread->hot.builder = NULL;
        thread->hot.tee = NULL;
        thread->work_stack = NULL;
        for (int slot = 0; slot < SHIM_COPY_SLOTS; slot++) {
            thread->copy_space[slot] = NULL;
            thread->copy_capacity[slot] = 0;
        }
        thread->mapping_size = size;
        thread->in_use = 1;
        add_context(thread);
    }
    shim_tls_thread = thread;
    pthread_setspecific(thread_key, thread);
    errno = saved_errno;
    return thread;
}

/* The rate limits' clock of a thread's builds: the reading emit.c took for
 * the message, so a message reads the clock once. */
static uint64_t message_clock(void *context)
{
    shim_thread *thread = context;
    if (thread->hot.now_ms == 0)
        thread->hot.now_ms = shim_clock_ms();
    return thread->hot.now_ms;
}

bool shim_thread_engine_slow(shim_thread *thread, const ehs_config *config,
                             ehs_thread_state **state, ehd_builder **builder)
{
    if (thread->hot.builder == NULL) {
        /* Room for a whole event up front, so events of the usual size never
         * make the builder grow (and allocate) later. */
        ehd_builder_options options = EHD_BUILDER_OPTIONS(.meta_capacity = 256,
                                                          .data_capacity = scratch_capacity + 256);
        thread->hot.builder = ehd_builder_new(&options);
        if (thread->hot.builder == NULL)
            return false;
    }
    if (thread->hot.engine != NULL && config != NULL &&
        __atomic_load_n(&thread->hot.engine_config, __ATOMIC_ACQUIRE) != config) {
        /* A reload replaced the config: the state is sized for the old one. */
        ehs_thread_state_free(thread->hot.engine);
        thread->hot.engine = NULL;
    }
    if (thread->hot.engine == NULL) {
        if (config == NULL)
            config = shim_config_current();
        thread->hot.engine = ehs_thread_state_new(config);
        if (thread->hot.engine == NULL)
            return false;
        __atomic_store_n(&thread->hot.engine_config, config, __ATOMIC_RELEASE);
        ehs_thread_state_set_clock(thread->hot.engine, message_clock, thread);
        /* Events are cut to what the backend carries: user_events drops
         * anything larger in the kernel after a successful write. */
        ehs_thread_state_set_event_max(thread->hot.engine, ehd_provider_event_max(&shim_provider));
    }
    /* A new message: no clock reading yet. */
    thread->hot.now_ms = 0;
    *state = thread->hot.engine;
    *builder = thread->hot.builder;
    return true;
}

void *shim_thread_work_stack(shim_thread *thread)
{
    if (thread->work_stack == NULL) {
        int saved_errno = errno;
        void *memory = mmap(NULL, WORK_STACK_BYTES + GUARD_BYTES, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
        if (memory != MAP_FAILED && mprotect(memory, GUARD_BYTES, PROT_NONE) == 0)
            thread->work_stack = memory;
        else if (memory != MAP_FAILED)
            munmap(memory, WORK_STACK_BYTES + GUARD_BYTES);
        errno = saved_errno;
        if (thread->work_stack == NULL)
            return NULL;
    }
    return thread->work_stack + GUARD_BYTES + WORK_STACK_BYTES;
}

char *shim_thread_copy_space(shim_thread *thread, int slot, size_t size)
{
    if (size > thread->copy_capacity[slot]) {
        /* The shim's heap is mmap after set-up (alloc.c). */
        char *grown = realloc(thread->copy_space[slot], size);
        if (grown == NULL)
            return NULL;
        thread->copy_space[slot] = grown;
        thread->copy_capacity[slot] = size;
    }
    return thread->copy_space[slot];
}

/* The index of `source` among a thread's assemblers; -1 for a source
 * without one (not an output, or stdout while it is not captured). */
static int output_index(ehs_source source)
{
    if (source == EHS_SOURCE_STDERR)
        return OUT_STDERR;
    if (source == EHS_SOURCE_STDOUT && stdout_lines)
        return OUT_STDOUT;
    return -1;
}

shim_line *shim_thread_line_other(shim_thread *thread, ehs_source source)
{
    int i = output_index(source);
    return i >= 0 ? &thread->hot.lines[i] : NULL;
}

ehs_grouper *shim_thread_grouper(shim_thread *thread, ehs_source source, uintptr_t **lock)
{
    int i = output_index(source);
    if (i < 0 || thread->groups[i].spec == NULL)
        return NULL;
    *lock = &thread->group_locks[i];
    return &thread->groups[i];
}

shim_thread *shim_thread_first(void)
{
    shim_thread *t = __atomic_load_n(&all_threads, __ATOMIC_ACQUIRE);
    while (t != NULL && !__atomic_load_n(&t->in_use, __ATOMIC_ACQUIRE))
        t = t->next;
    return t;
}

shim_thread *shim_thread_next(shim_thread *thread)
{
    shim_thread *t = thread->next;
    while (t != NULL && !__atomic_load_n(&t->in_use, __ATOMIC_ACQUIRE))
        t = t->next;
    return t;
}

shim_line *shim_thread_vfork_line(shim_thread *thread, pid_t child, ehs_source source)
{
    int i = output_index(source);
    if (i < 0)
        return NULL;
    if (thread->vfork_pid != child) {
        /* A new child: whatever an earlier one left is not its text. */
        for (int j = 0; j < OUTPUTS; j++)
            shim_line_discard(&thread->vfork_lines[j]);
        thread->vfork_pid = child;
    }
    return &thread->vfork_lines[i];
}

char *shim_thread_scratch(shim_thread *thread, size_t *capacity)
{
    *capacity = thread->scratch_capacity;
    return thread->scratch;
}

/* Emits the unfinished lines of every other thread, through `self`. The
 * owners may still be running: a line is read as it is now (its bytes stay
 * inside its buffer), and left empty so that nothing is emitted twice. */
static void flush_other_threads(shim_thread *self)
{
    size_t capacity;
    char *copy = shim_thread_scratch(self, &capacity);
    for (shim_thread *t = __atomic_load_n(&all_threads, __ATOMIC_ACQUIRE); t != NULL;
         t = t->next) {
        if (t == self || !__atomic_load_n(&t->in_use, __ATOMIC_ACQUIRE))
            continue;
        for (int i = 0; i < OUTPUTS; i++) {
            shim_line *line = &t->hot.lines[i];
            size_t len = __atomic_load_n(&line->len, __ATOMIC_RELAXED);
            if (len == 0)
                continue;
            if (len > capacity)
                len = capacity;
            memcpy(copy, line->storage, len);
            __atomic_store_n(&line->len, 0, __ATOMIC_RELAXED);
            if (t->groups[i].spec != NULL)
                shim_group_line(t, self, output_source[i], copy, len);
            else
                output_sink[i](self, copy, len);
        }
        for (int i = 0; i < OUTPUTS; i++)
            shim_group_flush(t, self, output_source[i]);
    }
}

void shim_thread_exit_process(void)
{
    shim_thread *thread = shim_thread_get();
    if (thread == NULL)
        return;
    for (int i = 0; i < OUTPUTS; i++) {
        shim_line_flush(&thread->hot.lines[i], output_sink[i], thread);
        shim_group_flush(thread, thread, output_source[i]);
    }
    flush_other_threads(thread);
    shim_emit_final_reports(thread);
}

const ehs_config *shim_thread_pin_config(shim_thread *thread)
{
    const ehs_config *config;
    /* A hazard pointer: once the pin is visible and the config is still
     * the current one, reload.c sees the pin before it could free it. */
    do {
        config = __atomic_load_n(&shim_config, __ATOMIC_SEQ_CST);
        __atomic_store_n(&thread->pinned, config, __ATOMIC_SEQ_CST);
    } while (__atomic_load_n(&shim_config, __ATOMIC_SEQ_CST) != config);
    return config;
}

void shim_thread_unpin_config(shim_thread *thread)
{
    __atomic_store_n(&thread->pinned, NULL, __ATOMIC_RELEASE);
}

void shim_thread_set_clock(shim_thread *thread, uint64_t now_ms)
{
    thread->hot.now_ms = now_ms;
}

bool shim_threads_pin(const ehs_config *config)
{
    for (shim_thread *t = __atomic_load_n(&all_threads, __ATOMIC_ACQUIRE); t != NULL;
         t = t->next)
        if (__atomic_load_n(&t->pinned, __ATOMIC_SEQ_CST) == config)
            return true;
    return false;
}

/* What a thread context's engine_config becomes when its config is freed:
 * never the address of a config. */
static const char stale_config;

void shim_threads_forget_config(const ehs_config *config)
{
    for (shim_thread *t = __atomic_load_n(&all_threads, __ATOMIC_ACQUIRE); t != NULL;
         t = t->next) {
        const ehs_config *expected = config;
        __atomic_compare_exchange_n(&t->hot.engine_config, &expected,
                                    (const ehs_config *)(const void *)&stale_config, false,
                                    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
    }
}

void shim_thread_after_fork(void)
{
    shim_thread *self = shim_tls_thread;
    /* The other threads did not come along: their contexts are free, and
     * their unfinished lines are the parent's to emit. */
    for (shim_thread *t = __atomic_load_n(&all_threads, __ATOMIC_ACQUIRE); t != NULL;
         t = t->next) {
        discard_lines(t, true);
        if (t != self) {
            __atomic_store_n(&t->in_use, 0, __ATOMIC_RELEASE);
            __atomic_store_n(&t->pinned, NULL, __ATOMIC_RELEASE);
        }
    }
    shim_group_after_fork();
}

/* Whether shim code may emit now: set up, and not inside itself. */
static bool may_flush(void)
{
    return __atomic_load_n(&shim_state, __ATOMIC_ACQUIRE) == SHIM_READY &&
           (shim_tls_busy == 0 || shim_busy_recover());
}

/* Emits the calling thread's unfinished lines; in a vfork child (`pid` is
 * not the shim's), the child's own, never the parent's. Busy guard held. */
static void flush_own_lines(pid_t pid)
{
    shim_thread *thread = shim_tls_thread;
    if (thread == NULL)
        return;
    for (int i = 0; i < OUTPUTS; i++) {
        shim_line *line = pid == shim_pid
                              ? shim_thread_line(thread, output_source[i])
                              : shim_thread_vfork_line(thread, pid, output_source[i]);
        if (line != NULL)
            shim_line_flush(line, output_sink[i], thread);
        /* A vfork child holds no record (group.c): what is open is its
         * parent's. */
        if (pid == shim_pid)
            shim_group_flush(thread, thread, output_source[i]);
    }
}

void shim_flush_calling_thread(void)
{
    if (!may_flush())
        return;
    int saved_errno = errno;
    shim_busy_enter();
    flush_own_lines(getpid());
    shim_busy_leave();
    errno = saved_errno;
}

bool shim_thread_line_waiting(void)
{
    shim_thread *thread = shim_tls_thread;
    if (thread == NULL)
        return false;
    for (int i = 0; i < OUTPUTS; i++) {
        if (shim_line_pending(&thread->hot.lines[i]) || ehs_grouper_open(&thread->groups[i]) ||
            (thread->vfork_pid != 0 && shim_line_pending(&thread->vfork_lines[i])))
            return true;
    }
    return false;
}

void shim_flush_before_process_end(void)
{
    if (!may_flush())
        return;
    int saved_errno = errno;
    pid_t pid = getpid();
    shim_busy_enter();
    /* A vfork child ends only itself. */
    if (pid != shim_pid)
        flush_own_lines(pid);
    else
        shim_thread_exit_process();
    shim_busy_leave();
    errno = saved_errno;
}
