package imaplib

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"
)

// IMAP4_stream mirrors imaplib.IMAP4_stream: IMAP over the standard input
// and output of a command run by /bin/sh -c, such as "ssh host imapd" or a
// local server's stdio mode. It embeds *IMAP4.
type IMAP4_stream struct {
	*IMAP4
	// Command mirrors command: the shell command line.
	Command string
}

// NewIMAP4_stream mirrors IMAP4_stream(command). The child process is
// always reaped: Shutdown waits for it, and a failed constructor kills it
// and waits.
func NewIMAP4_stream(command string) (*IMAP4_stream, error) {
	t := &StreamTransport{Command: command}
	m := newIMAP4(t)
	if err := m.Open("", 0, 0); err != nil {
		return nil, err
	}
	if err := m.connect(); err != nil {
		t.kill()
		return nil, err
	}
	return &IMAP4_stream{IMAP4: m, Command: command}, nil
}

// StreamTransport is the Transport of IMAP4_stream: pipes to a child
// process. Unlike CPython's, its lines are bounded by MaxLine too, since the
// peer is often a remote program whose endless line must not exhaust
// memory.
type StreamTransport struct {
	// Command is run as /bin/sh -c Command.
	Command string

	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout io.ReadCloser
	in     lineReader
	once   sync.Once
	err    error
}

// shutdownGrace is how long Shutdown waits for the child to exit after its
// pipes are closed before it kills it.
const shutdownGrace = 5 * time.Second

// Open mirrors IMAP4_stream.open: it starts the command. host, port and
// timeout are ignored, as in CPython.
func (s *StreamTransport) Open(host string, port int, timeout time.Duration) error {
	s.cmd = exec.Command("/bin/sh", "-c", s.Command)
	s.cmd.Stderr = os.Stderr
	var err error
	if s.stdin, err = s.cmd.StdinPipe(); err != nil {
		return err
	}
	if s.stdout, err = s.cmd.StdoutPipe(); err != nil {
		return err
	}
	if err := s.cmd.Start(); err != nil {
		return err
	}
	s.in = lineReader{src: s.stdout}
	return nil
}

// Read mirrors IMAP4_stream.read.
func (s *StreamTransport) Read(size int) ([]byte, error) { return s.in.read(size) }

// Readline mirrors IMAP4_stream.readline, bounded by MaxLine.
func (s *StreamTransport) Readline() ([]byte, error) { return s.in.readline() }

// Send mirrors IMAP4_stream.send: write to the child's standard input.
func (s *StreamTransport) Send(data []byte) error {
	if s.stdin == nil {
		return os.ErrClosed
	}
	_, err := s.stdin.Write(data)
	return err
}

// Shutdown mirrors IMAP4_stream.shutdown: close both pipes and wait for the
// child, killing it if it has not exited within a grace period. Calling it
// again returns the first result.
func (s *StreamTransport) Shutdown() error {
	s.once.Do(func() {
		if s.cmd == nil || s.cmd.Process == nil {
			return
		}
		// Close both pipes, as CPython closes both files: a child still
		// writing then fails with EPIPE instead of blocking on a full pipe.
		s.stdin.Close()
		s.stdout.Close()
		done := make(chan error, 1)
		go func() { done <- s.cmd.Wait() }()
		select {
		case s.err = <-done:
		case <-time.After(shutdownGrace):
			s.cmd.Process.Kill()
			s.err = <-done
		}
		var exit *exec.ExitError
		if errors.As(s.err, &exit) {
			// The child's exit status is not a transport failure.
			s.err = nil
		}
	})
	return s.err
}

// kill ends the child at once and reaps it.
func (s *StreamTransport) kill() {
	s.once.Do(func() {
		if s.cmd == nil || s.cmd.Process == nil {
			return
		}
		s.cmd.Process.Kill()
		s.stdin.Close()
		s.cmd.Wait()
	})
}
