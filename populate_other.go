//go:build !linux

package imaplib

// populate does nothing where the kernel offers no way to map pages ahead
// of their first write; they fault in as bytes arrive.
func populate(b []byte) {}
