package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"os/user"
	"strings"
)

// passwordEnv names the environment variable that supplies the password
// without a prompt, for scripts and CI.
const passwordEnv = "IMAP_PASSWORD"

// loginName finds the user name as Python's getpass.getuser does: the first
// of LOGNAME, USER, LNAME and USERNAME that is set and not empty, else the
// password database.
func loginName() (string, error) {
	for _, name := range []string{"LOGNAME", "USER", "LNAME", "USERNAME"} {
		if v := os.Getenv(name); v != "" {
			return v, nil
		}
	}
	u, err := user.Current()
	if err != nil || u.Username == "" {
		return "", errors.New("No username set in the environment")
	}
	return u.Username, nil
}

// readPassword returns IMAP_PASSWORD when it is set; otherwise it asks with
// prompt. On a terminal the typed characters are not echoed (stty -echo, so
// the program needs nothing outside the standard library); elsewhere, as
// Python's getpass does without a terminal, it warns and reads one line
// from in, which wraps stdin.
func readPassword(prompt string, stdin io.Reader, in *bufio.Reader, stderr io.Writer) (string, error) {
	if v, ok := os.LookupEnv(passwordEnv); ok {
		return v, nil
	}
	tty, _ := stdin.(*os.File)
	if tty != nil && isTerminal(tty) {
		restore, err := echoOff(tty)
		if err == nil {
			defer restore()
			// Ctrl-C at the prompt must not leave the terminal silent.
			sig, done := make(chan os.Signal, 1), make(chan struct{})
			signal.Notify(sig, os.Interrupt)
			defer func() { signal.Stop(sig); close(done) }()
			go func() {
				select {
				case <-sig:
					restore()
					fmt.Fprintln(stderr)
					os.Exit(130)
				case <-done:
				}
			}()
			fmt.Fprint(stderr, prompt)
			line, rerr := in.ReadString('\n')
			// The user's Enter was not echoed; end the prompt's line.
			fmt.Fprintln(stderr)
			return strings.TrimRight(line, "\r\n"), eofIsEmpty(line, rerr)
		}
	}
	fmt.Fprintln(stderr, "Warning: Password input may be echoed.")
	fmt.Fprint(stderr, prompt)
	line, err := in.ReadString('\n')
	return strings.TrimRight(line, "\r\n"), eofIsEmpty(line, err)
}

// eofIsEmpty turns an end of input before any character into an error, so
// that an empty stdin does not silently log in with an empty password.
func eofIsEmpty(line string, err error) error {
	if err == io.EOF && line != "" {
		return nil
	}
	if err == io.EOF {
		return errors.New("no password: end of input")
	}
	return err
}

// isTerminal reports whether f is a character device, which is what a
// terminal is; stty then decides whether it really is one.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// echoOff turns off echo on the terminal f and returns the function that
// puts back the settings it found.
func echoOff(f *os.File) (func(), error) {
	saved, err := stty(f, "-g")
	if err != nil {
		return nil, err
	}
	if _, err := stty(f, "-echo"); err != nil {
		return nil, err
	}
	return func() { _, _ = stty(f, strings.TrimSpace(saved)) }, nil
}

// stty runs stty on the terminal f through /bin/sh.
func stty(f *os.File, args string) (string, error) {
	cmd := exec.Command("/bin/sh", "-c", "stty "+args)
	cmd.Stdin = f
	out, err := cmd.Output()
	return string(out), err
}
