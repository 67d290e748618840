// Command imapbench is the cross-client benchmark behind "make bench": a
// loopback IMAP server that renders its replies once, drivers for this
// repository's imaplib, go-imap v2 and raw socket readers and writers (the
// CPython driver is driver_cpython.py beside this file), and the runner
// that times them in rotation and prints one table.
//
// Usage:
//
//	imapbench run -out DIR -cpython-driver PATH   (environment: BENCH_QUICK=1,
//	                                               BENCH_REPS, BENCH_PYTHONS, BENCH_ONLY)
//	imapbench drive -client NAME -workload NAME -count N -size N -port N
//	                                              (BENCH_CPUPROFILE=FILE profiles the driver)
//	imapbench serve -workload NAME -count N -size N  (prints the port, serves until killed)
package main

import (
	"errors"
	"fmt"
	"os"
)

// errReported ends a driver whose JSON line already says what failed.
var errReported = errors.New("reported")

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: imapbench run|drive ...")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "run":
		err = runBench(os.Args[2:])
	case "drive":
		err = runDrive(os.Args[2:])
	case "serve":
		err = runServe(os.Args[2:])
	default:
		err = fmt.Errorf("unknown subcommand %q", os.Args[1])
	}
	if errors.Is(err, errReported) {
		os.Exit(1)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "imapbench:", err)
		os.Exit(1)
	}
}
