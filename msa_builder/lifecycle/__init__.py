"""The agreement lifecycle: immutable instruments, attorney approval, execution versions, evidence of signing."""
