# jit.mk — translation-tier extras: the guest tests once more with a 64 KB
# translation cache (constant flushing). Images come from guests.mk.

test-jit-tinycache: $(X86BT) $(GUEST_BINS)
	@tests/jit/tinycache.sh $(X86BT) $(GUEST_BINS)

TEST_TARGETS += test-jit-tinycache
.PHONY: test-jit-tinycache
