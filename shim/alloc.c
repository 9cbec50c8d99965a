/*
 * The shim's heap once it is capturing. Every allocation the shim's code
 * makes after set-up (its own, the rules engine's, the event builder's,
 * PCRE2's match data and backtracking frames) can happen inside a signal
 * handler that interrupted malloc, which holds the arena lock: malloc there
 * deadlocks a crash reporter. So the shim is linked with --wrap for the
 * allocator names (Makefile), and after set-up they are served by mmap,
 * which is async-signal-safe and takes no lock in user space.
 *
 * Each block is its own mapping, headed by its size and a check word tied
 * to its address. Blocks are few and long-lived (a thread's engine state,
 * its builder buffers): they are made on a thread's first event and when a
 * buffer grows, never per message. free() and realloc() tell our blocks
 * from libc's (set-up allocations, strings libc returned) by the header
 * and hand libc's back to libc.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "shim.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *block, size_t size);
void *__real_reallocarray(void *block, size_t count, size_t size);
void __real_free(void *block);

void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t count, size_t size);
void *__wrap_realloc(void *block, size_t size);
void *__wrap_reallocarray(void *block, size_t count, size_t size);
void __wrap_free(void *block);

/* The header in front of each block; 16 bytes keep the block aligned as
 * malloc's are. */
typedef struct block_header {
    uint64_t check; /* BLOCK_MAGIC ^ the header's address */
    uint64_t size;  /* bytes mapped, header included */
} block_header;

#define BLOCK_MAGIC UINT64_C(0x6568736869616c63)

static bool mmap_heap;
/* Nonzero while this thread loads a new config (reload.c): never in a
 * signal handler, and the config outlives the call, so libc's heap serves
 * it instead of a mapping per block. */
static __thread unsigned libc_heap_depth SHIM_TLS;

void shim_alloc_libc_begin(void)
{
    libc_heap_depth++;
}

void shim_alloc_libc_end(void)
{
    libc_heap_depth--;
}

void shim_alloc_use_mmap(void)
{
    __atomic_store_n(&mmap_heap, true, __ATOMIC_RELEASE);
}

/* Reads the 16 bytes in front of any block, libc's too (its chunk header
 * is there, in the same page): AddressSanitizer would call that a heap
 * overflow, so it does not check this function. */
__attribute__((no_sanitize("address"))) static bool is_ours(const void *block)
{
    /* Before set-up nothing is ours: a config loaded then is libc's alone,
     * and its blocks are not read in front (valgrind's allocator keeps a
     * red zone there). */
    if (!__atomic_load_n(&mmap_heap, __ATOMIC_ACQUIRE))
        return false;
    /* Our blocks start 16 bytes into a page: a cheap test that spares
     * reading in front of most of libc's blocks. */
    if (((uintptr_t)block & 0xfff) != sizeof(block_header))
        return false;
    const block_header *header = (const block_header *)block - 1;
    return header->check == (BLOCK_MAGIC ^ (uint64_t)(uintptr_t)header);
}

static void *map_block(size_t size)
{
    size_t total;
    if (__builtin_add_overflow(size, sizeof(block_header) + 4095, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    total &= ~(size_t)4095;
    int saved_errno = errno;
    void *memory = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
        errno = ENOMEM;
        return NULL;
    }
    errno = saved_errno;
    block_header *header = memory;
    header->check = BLOCK_MAGIC ^ (uint64_t)(uintptr_t)header;
    header->size = total;
    return header + 1;
}

static void unmap_block(void *block)
{
    block_header *header = (block_header *)block - 1;
    int saved_errno = errno;
    munmap(header, header->size);
    errno = saved_errno;
}

void *__wrap_malloc(size_t size)
{
    if (!__atomic_load_n(&mmap_heap, __ATOMIC_ACQUIRE) || libc_heap_depth != 0)
        return __real_malloc(size);
    return map_block(size);
}

void *__wrap_calloc(size_t count, size_t size)
{
    if (!__atomic_load_n(&mmap_heap, __ATOMIC_ACQUIRE) || libc_heap_depth != 0)
        return __real_calloc(count, size);
    size_t bytes;
    if (__builtin_mul_overflow(count, size, &bytes)) {
        errno = ENOMEM;
        return NULL;
    }
    return map_block(bytes); /* fresh anonymous pages are zero */
}

void *__wrap_realloc(void *block, size_t size)
{
    if (block == NULL)
        return __wrap_malloc(size);
    if (!is_ours(block))
        return __real_realloc(block, size);
    block_header *header = (block_header *)block - 1;
    size_t room = header->size - sizeof(block_header);
    if (size <= room)
        return block;
    void *grown = map_block(size);
    if (grown == NULL)
        return NULL;
    memcpy(grown, block, room);
    unmap_block(block);
    return grown;
}

void *__wrap_reallocarray(void *block, size_t count, size_t size)
{
    size_t bytes;
    if (__builtin_mul_overflow(count, size, &bytes)) {
        errno = ENOMEM;
        return NULL;
    }
    if (block != NULL && !is_ours(block))
        return __real_reallocarray(block, count, size);
    return __wrap_realloc(block, bytes);
}

void __wrap_free(void *block)
{
    if (block == NULL)
        return;
    if (is_ours(block))
        unmap_block(block);
    else
        __real_free(block);
}
