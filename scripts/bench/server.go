package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

// server is the loopback IMAP server the drivers talk to. It answers just
// enough of IMAP4rev1 for a client to log in and select, and answers the
// workload's command from replies rendered once, so that serving costs
// little more than the write system calls and every client meets the same
// bytes.
type server struct {
	w   workload
	msg []byte
	ln  net.Listener

	mu      sync.Mutex
	replies map[bool][][]byte // by "BODY[]" instead of "RFC822"
}

func newServer(w workload) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &server{w: w, ln: ln, replies: map[bool][][]byte{}}
	if w.Size > 0 && w.Name != "hostile" {
		s.msg = message(w.Size)
	}
	if w.Name != "append" {
		s.reply(false) // render before any client is timed
	}
	go s.accept()
	return s, nil
}

func (s *server) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *server) close() { s.ln.Close() }

func (s *server) reply(body bool) [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.replies[body]
	if !ok {
		r = s.w.reply(s.msg, body)
		s.replies[body] = r
	}
	return r
}

func (s *server) accept() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		go s.serve(c)
	}
}

// serve runs one connection. Errors end it quietly: the driver on the other
// side reports what went wrong.
func (s *server) serve(c net.Conn) {
	defer c.Close()
	br := bufio.NewReaderSize(c, 256<<10)
	write := func(b ...[]byte) error {
		// WriteTo consumes the slice headers it is given: write from a copy
		// so the rendered replies stay whole for the next client.
		bufs := append(net.Buffers(nil), b...)
		_, err := bufs.WriteTo(c)
		return err
	}
	if write([]byte("* OK [CAPABILITY IMAP4rev1] bench server ready\r\n")) != nil {
		return
	}
	var appended int64
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		tag, rest, _ := strings.Cut(line, " ")
		name, args, _ := strings.Cut(rest, " ")
		name = strings.ToUpper(name)
		if name == "UID" {
			name, args, _ = strings.Cut(args, " ")
			name = strings.ToUpper(name)
		}
		var out [][]byte
		switch name {
		case "CAPABILITY":
			out = [][]byte{[]byte("* CAPABILITY IMAP4rev1\r\n"), completion(tag, name)}
		case "LOGIN", "NOOP", "CHECK":
			out = [][]byte{completion(tag, name)}
		case "SELECT", "EXAMINE":
			out = [][]byte{[]byte(fmt.Sprintf("* %d EXISTS\r\n* 0 RECENT\r\n* FLAGS (\\Seen)\r\n"+
				"* OK [UIDVALIDITY 1] UIDs valid\r\n%s OK [READ-WRITE] %s completed\r\n",
				s.w.Count, tag, name))}
		case "FETCH", "SEARCH":
			if s.w.Name == "hostile" {
				// Announce a huge literal, send a few bytes, wait a little
				// so the client sits in its read, and hang up.
				write(s.reply(false)...)
				time.Sleep(200 * time.Millisecond)
				return
			}
			r := s.reply(strings.Contains(strings.ToUpper(args), "BODY"))
			out = append(r[:len(r):len(r)], completion(tag, name))
		case "APPEND":
			n, ok := literalSize(args)
			if !ok {
				out = [][]byte{[]byte(tag + " BAD no literal\r\n")}
				break
			}
			if write([]byte("+ Ready for literal data\r\n")) != nil {
				return
			}
			if _, err := io.CopyN(io.Discard, br, n); err != nil {
				return
			}
			if _, err := br.ReadString('\n'); err != nil { // the end of the command line
				return
			}
			appended += n
			// The APPENDUID is the running byte count, so a driver can
			// check what arrived without a second command.
			out = [][]byte{[]byte(tag + " OK [APPENDUID 1 " + strconv.FormatInt(appended, 10) + "] APPEND completed\r\n")}
		case "LOGOUT":
			write([]byte("* BYE bench server logging out\r\n"), completion(tag, name))
			return
		default:
			out = [][]byte{[]byte(tag + " BAD unknown command\r\n")}
		}
		if write(out...) != nil {
			return
		}
	}
}

// literalSize reads the {N} (or {N+}) at the end of a command line.
func literalSize(args string) (int64, bool) {
	i := strings.LastIndexByte(args, '{')
	if i < 0 || !strings.HasSuffix(args, "}") {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSuffix(args[i+1:len(args)-1], "+"), 10, 64)
	return n, err == nil
}
