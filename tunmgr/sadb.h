/*
 * Inbound SA lookup: SPI (network byte order, as read off the wire) -> caller's pointer.
 * tunmgr also keys its interfaces by session id with it (never 0 either).
 *
 * Open addressing with linear probing and backward-shift deletion; the table doubles when it is
 * over half full and never shrinks below its initial size. Entries are owned by the caller: the
 * table only stores the pointer.
 *
 * Concurrency: single-threaded for now. The plan for lock-free readers (data-plane threads) is
 * the usual read-copy-update: the control thread builds a new table for every change and
 * publishes it with an atomic pointer swap, readers only ever look at a published (immutable)
 * table, and the old one is freed after a grace period. The lookup below does nothing that
 * would prevent that (no writes, no hidden state).
 */
#ifndef VPND_SADB_H
#define VPND_SADB_H

#include <stddef.h>
#include <stdint.h>

struct sadb;

struct sadb *sadb_new(void);
void  sadb_free(struct sadb *);          /* frees the table, not the entries */

/* 0, -EEXIST if the SPI is present, -EINVAL for SPI 0 (reserved, RFC 4303 2.1), -ENOMEM. */
int   sadb_insert(struct sadb *, uint32_t spi_net, void *entry);
/* The entry that was removed, or NULL if the SPI was not present. */
void *sadb_remove(struct sadb *, uint32_t spi_net);
void *sadb_lookup(const struct sadb *, uint32_t spi_net);
size_t sadb_count(const struct sadb *);

/* Visit every entry (order unspecified). The callback must not modify the table. */
void  sadb_foreach(const struct sadb *, void (*cb)(uint32_t spi_net, void *entry, void *arg),
                   void *arg);

#endif
