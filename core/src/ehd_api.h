/* Internal: marks the functions that form the library's public API. The
 * build hides every other symbol (-fvisibility=hidden). */
#ifndef EHD_API_H
#define EHD_API_H

#define EHD_API __attribute__((visibility("default")))

#endif
