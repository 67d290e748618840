package imaplib_test

// The plumbing shared by the optional real servers (Cyrus, Courier): each is
// started once for the package by scripts/NAME-up.sh on first use and
// stopped after the last test by a hook that TestMain (main_test.go) runs,
// printing its timings.

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pyport/imaplib"
	"github.com/stretchr/testify/require"
)

// rsServer is one running server started by scripts/NAME-up.sh.
type rsServer struct {
	dir     string
	env     map[string]string
	upWall  time.Duration // the whole start script, certificate included
	started bool
}

// rsShared describes an optional server and holds its shared instance.
type rsShared struct {
	name       string        // scripts' prefix and the report's: "cyrus"
	title      string        // for messages: "Cyrus"
	envVar     string        // IMAPLIB_CYRUS: 0 turns the tests off, 1 with CI=true requires them
	startupKey string        // the env file's key for the start time in ms
	required   []string      // env file keys the tests need
	missing    func() string // why the server cannot run here, "" when it can
	once       sync.Once     // starts the shared instance
	srv        *rsServer     // the shared instance
	startErr   error         // why it did not start
	testTime   atomic.Int64  // wall time of the tests that used it
}

// register has TestMain stop the shared instance after the last test.
func (k *rsShared) register() { imaplib.RegisterAfterTestHook(k.afterTests) }

// afterTests stops the shared instance and prints its timings.
func (k *rsShared) afterTests(code int) int {
	s := k.srv
	if s == nil || !s.started {
		return code
	}
	t0 := time.Now()
	out, err := dvRunScript(k.name+"-down.sh", s.dir)
	s.started = false
	fmt.Fprintf(os.Stderr, "%s: up in %s ms (start script %d ms), real-server tests %.1f s, down %d ms\n",
		k.name, s.env[k.startupKey], s.upWall.Milliseconds(),
		time.Duration(k.testTime.Load()).Seconds(), time.Since(t0).Milliseconds())
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: scripts/%s-down.sh: %v\n%s", k.name, k.name, err, out)
		if code == 0 {
			code = 1
		}
	}
	if code == 0 {
		os.RemoveAll(s.dir)
	} else {
		fmt.Fprintf(os.Stderr, "%s: files kept in %s\n", k.name, s.dir)
	}
	return code
}

// require skips the test when the server cannot run, except where CI asks
// for it (CI=true and the server's variable set to 1): there a missing
// server fails.
func (k *rsShared) require(t *testing.T) {
	t.Helper()
	if os.Getenv(k.envVar) == "0" {
		t.Skip(k.title + " tests turned off by " + k.envVar + "=0")
	}
	why := k.missing()
	if why == "" {
		return
	}
	msg := k.name + ": " + why + ": run scripts/install-" + k.name + ".sh as root"
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	if ci && os.Getenv(k.envVar) == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// serverFor returns the shared instance, starting it on first use.
func (k *rsShared) serverFor(t *testing.T) *rsServer {
	t.Helper()
	k.require(t)
	k.once.Do(func() { k.srv, k.startErr = k.start() })
	require.NoError(t, k.startErr, "starting the shared %s", k.name)
	start := time.Now()
	t.Cleanup(func() { k.testTime.Add(int64(time.Since(start))) })
	return k.srv
}

// start runs scripts/NAME-up.sh in a new temporary directory.
func (k *rsShared) start() (*rsServer, error) {
	dir, err := os.MkdirTemp("", "imaplib-"+k.name+"-")
	if err != nil {
		return nil, err
	}
	s := &rsServer{dir: dir}
	t0 := time.Now()
	out, err := dvRunScript(k.name+"-up.sh", dir)
	s.upWall = time.Since(t0)
	if err != nil {
		// the script has already stopped whatever it started
		os.RemoveAll(dir)
		return nil, fmt.Errorf("scripts/%s-up.sh: %v\n%s", k.name, err, out)
	}
	s.started = true
	raw, err := os.ReadFile(filepath.Join(dir, "env"))
	if err == nil {
		s.env = dvParseEnv(string(raw))
		for _, key := range k.required {
			if s.env[key] == "" {
				err = fmt.Errorf("%s/env lacks %s", dir, key)
				break
			}
		}
	}
	if err != nil {
		dvRunScript(k.name+"-down.sh", dir)
		s.started = false
		return nil, err
	}
	return s, nil
}

// port reads a port number from the env file.
func (s *rsServer) port(t *testing.T, key string) int {
	t.Helper()
	p, err := strconv.Atoi(s.env[key])
	require.NoError(t, err, key)
	return p
}

// dial connects to the plain port in the default profile; the connection
// is closed when the test ends.
func (s *rsServer) dial(t *testing.T) *imaplib.IMAP4 {
	t.Helper()
	m, err := imaplib.NewIMAP4(s.env["IMAP_HOST"], s.port(t, "IMAP_PORT"), dvTimeout)
	require.NoError(t, err)
	t.Cleanup(func() { dvClose(m) })
	require.Equal(t, imaplib.CompatCurrent, m.Compat, "imaplib.DefaultCompat was left changed")
	return m
}
