/*
 * mmu.h — paging control used by the system instructions (mmu.c).
 * The access API itself is in cpu_mem.h.
 */
#ifndef X86BT_MMU_H
#define X86BT_MMU_H

#include <stdbool.h>
#include <stdint.h>

#include "frontend/cpu_state.h"
#include "machine/vm.h"

/* MOV CR3 / task switch: drop every TLB entry except global pages. */
void mmu_flush_nonglobal(CPUState *cpu);
/* INVLPG: drop the translation of lin's page (all of them if large pages
 * are cached). */
void mmu_invlpg(CPUState *cpu, uint32_t lin);
/* PAE: false if a present PDPTE at cr3 has reserved bits set (MOV CR3
 * then raises #GP(0), SDM vol. 3 section 4.4.1). */
bool mmu_pdpte_valid(CPUState *cpu, uint32_t cr3);
/* The physical memory map changed (PAM routing, ROM/MMIO mapped or moved)
 * since the TLB was filled: its host pointers may be stale. Called before
 * every instruction by the interpreter and at block entry by translated
 * code; cheap when nothing changed. */
static inline void mmu_check_map(CPUState *cpu)
{
    if (cpu->tlb.map_gen != cpu->vm->mem.map_gen)
        cpu_tlb_flush(cpu);
}
/* Register with the physical memory map so that routing changes flush
 * the TLB at once (called by cpu_create). */
void mmu_attach(CPUState *cpu);
/* A RAM page (physical pa) now holds translated code: drop every TLB
 * write entry that points at it so that stores take the slow path and
 * notify the code cache (memmap.h MEM_PF_CODE). */
void mmu_protect_code_page(CPUState *cpu, uint64_t pa);
/* Physical address of a code fetch at lin (walk; may raise #PF), and
 * the TLB code entry for its page filled when the page is plain memory,
 * so that the translation tier's in-code block lookup finds it next
 * time (translator/helpers.c jit_lookup_flags). */
uint64_t mmu_translate_code(CPUState *cpu, uint32_t lin, int user);
/* Raise #PF now if a store of `size` bytes at lin would fault. */
void mmu_probe_write(CPUState *cpu, uint32_t lin, unsigned size, int user);

#endif
