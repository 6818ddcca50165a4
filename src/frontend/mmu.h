/*
 * mmu.h — paging control used by the system instructions (mmu.c).
 * The access API itself is in cpu_mem.h.
 */
#ifndef X86BT_MMU_H
#define X86BT_MMU_H

#include <stdbool.h>
#include <stdint.h>

#include "frontend/cpu_state.h"

/* MOV CR3 / task switch: drop every TLB entry except global pages. */
void mmu_flush_nonglobal(CPUState *cpu);
/* INVLPG: drop the translation of lin's page (all of them if large pages
 * are cached). */
void mmu_invlpg(CPUState *cpu, uint32_t lin);
/* PAE: false if a present PDPTE at cr3 has reserved bits set (MOV CR3
 * then raises #GP(0), SDM vol. 3 section 4.4.1). */
bool mmu_pdpte_valid(CPUState *cpu, uint32_t cr3);
/* Raise #PF now if a store of `size` bytes at lin would fault. */
void mmu_probe_write(CPUState *cpu, uint32_t lin, unsigned size, int user);

#endif
