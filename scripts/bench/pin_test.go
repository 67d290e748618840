package main

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The test binary stands in for imapbench when the pinned server is
// started from it: with IMAPBENCH_TEST_MAIN set it runs main and exits.
func init() {
	if os.Getenv("IMAPBENCH_TEST_MAIN") != "" {
		main()
		os.Exit(0)
	}
}

// children lists the processes this one started.
func children(t *testing.T) map[int]bool {
	t.Helper()
	out := map[int]bool{}
	tasks, err := filepath.Glob("/proc/self/task/*/children")
	require.NoError(t, err)
	for _, f := range tasks {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, p := range strings.Fields(string(raw)) {
			pid, err := strconv.Atoi(p)
			require.NoError(t, err)
			out[pid] = true
		}
	}
	return out
}

// TestPinnedServer starts the APPEND server as the runner does: a process
// of its own on CPU 0 that answers on the port it reports, and is gone
// once stopped.
func TestPinnedServer(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Skip("pinning needs two CPUs; this machine has one")
	}
	require.True(t, canPin(), "taskset(1) is missing")
	t.Setenv("IMAPBENCH_TEST_MAIN", "1")
	before := children(t)
	w := workload{Name: "append", Count: 3, Size: 100}
	port, stop, err := startPinnedServer(config{self: os.Args[0]}, w, "0")
	require.NoError(t, err)
	stopped := false
	defer func() {
		if !stopped {
			stop()
		}
	}()

	var server int
	for pid := range children(t) {
		if !before[pid] {
			server = pid
		}
	}
	require.NotZero(t, server, "no new child process")
	status, err := os.ReadFile("/proc/" + strconv.Itoa(server) + "/status")
	require.NoError(t, err)
	assert.Contains(t, string(status), "Cpus_allowed_list:\t0\n", "the server is not pinned to CPU 0")

	c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 5*time.Second)
	require.NoError(t, err)
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	greeting, err := bufio.NewReader(c).ReadString('\n')
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(greeting, "* OK"), "greeting %q", greeting)

	stop()
	stopped = true
	assert.ErrorIs(t, syscall.Kill(server, 0), syscall.ESRCH, "the server outlived stop")
}
