/*
 * One shim per process. A service may preload an installed libehshim.so
 * and `ehshim run` (or a second LD_PRELOAD entry) another copy: both would
 * capture every call, and every message would become two events. The copy
 * loaded first is the one the program's calls reach first, so it captures;
 * any later copy stays passive and passes calls on.
 *
 * Copies know each other by an ELF note in their loaded segments (no
 * exported symbol: the library exports libc names only).
 */
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <string.h>

#include "shim.h"

#define NOTE_NAME "ehshim"
enum { NOTE_TYPE = 0x45480001 };

struct shim_note {
    ElfW(Nhdr) header;
    char name[8]; /* NOTE_NAME and its NUL, padded to 4 */
    uint32_t desc;
};

__attribute__((used, section(".note.ehshim"), aligned(4))) static const struct shim_note
    shim_note = {
        .header = { .n_namesz = sizeof(NOTE_NAME), .n_descsz = 4, .n_type = NOTE_TYPE },
        .name = NOTE_NAME,
        .desc = 1,
};

static bool has_note(const struct dl_phdr_info *info)
{
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *phdr = &info->dlpi_phdr[i];
        if (phdr->p_type != PT_NOTE)
            continue;
        const char *at = (const char *)(info->dlpi_addr + phdr->p_vaddr);
        const char *end = at + phdr->p_memsz;
        while ((size_t)(end - at) >= sizeof(ElfW(Nhdr))) {
            ElfW(Nhdr) header;
            memcpy(&header, at, sizeof(header));
            size_t name_room = (header.n_namesz + 3u) & ~3u;
            size_t desc_room = (header.n_descsz + 3u) & ~3u;
            const char *name = at + sizeof(header);
            if (name_room > (size_t)(end - name) || desc_room > (size_t)(end - name) - name_room)
                break;
            if (header.n_type == NOTE_TYPE && header.n_namesz == sizeof(NOTE_NAME) &&
                memcmp(name, NOTE_NAME, sizeof(NOTE_NAME)) == 0)
                return true;
            at = name + name_room + desc_room;
        }
    }
    return false;
}

typedef struct search {
    uintptr_t our_base;
    bool found;       /* the first object with the note is known */
    bool first_is_us;
    char other[256];  /* its file name when it is not us */
} search;

static int visit(struct dl_phdr_info *info, size_t size, void *context)
{
    (void)size;
    search *s = context;
    if (!has_note(info))
        return 0;
    s->found = true;
    s->first_is_us = info->dlpi_addr == s->our_base;
    if (!s->first_is_us && info->dlpi_name != NULL)
        strncpy(s->other, info->dlpi_name, sizeof(s->other) - 1);
    return 1;
}

bool shim_is_first_copy(void)
{
    Dl_info self;
    if (dladdr(&shim_note, &self) == 0)
        return true;
    search s = { .our_base = (uintptr_t)self.dli_fbase };
    dl_iterate_phdr(visit, &s);
    if (!s.found || s.first_is_us)
        return true;
    shim_debug("another copy of the shim (%s) was loaded first and captures; this one (%s) "
               "passes calls through",
               s.other[0] != '\0' ? s.other : "?", self.dli_fname != NULL ? self.dli_fname : "?");
    return false;
}
