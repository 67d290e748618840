package imaplib

import (
	"os"
	"testing"
)

// The test binary has exactly one TestMain, here. A test file that needs work
// done after every test has run (stopping a server it started, printing a
// summary line) registers a hook from an init function:
//
//	func init() { afterTestHooks = append(afterTestHooks, myAfterTests) }
//
// or, from the external package imaplib_test:
//
//	func init() { imaplib.RegisterAfterTestHook(myAfterTests) }
//
// Each hook receives the exit code so far and returns the exit code to use.
var afterTestHooks []func(code int) int

func TestMain(m *testing.M) {
	code := m.Run()
	for _, hook := range afterTestHooks {
		code = hook(code)
	}
	os.Exit(code)
}

// RegisterAfterTestHook lets test files of the external package
// imaplib_test register an after-test hook; it exists only in test builds.
func RegisterAfterTestHook(hook func(code int) int) {
	afterTestHooks = append(afterTestHooks, hook)
}
