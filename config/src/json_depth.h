/*
 * How deep JSON may nest, for both JSON readers of the config library: the
 * config file's (json_pos.c) and the messages' (json_message.c). One limit,
 * so a config and a message are refused at the same depth.
 */
#ifndef EHS_JSON_DEPTH_H
#define EHS_JSON_DEPTH_H

/* Deepest nesting of objects and arrays accepted as JSON at all (configs
 * need 4; messages nested deeper are not JSON objects to the engine). */
#define EHS_JSON_MAX_DEPTH 64

#endif /* EHS_JSON_DEPTH_H */
