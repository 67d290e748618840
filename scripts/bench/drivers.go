package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/pyport/imaplib"
)

// result is what a driver prints, as one JSON object: how long the timed
// exchange took, and the count and check it computed from what it received
// (after the clock stopped), which the runner compares with the expected
// values so that a fast wrong client fails.
type result struct {
	Client  string  `json:"client"`
	Seconds float64 `json:"seconds"`
	Count   int64   `json:"count"`
	Check   int64   `json:"check"`
	// AllocsPerItem is the heap allocations per response or message during
	// the timed exchange (Go library drivers only).
	AllocsPerItem float64 `json:"allocs_per_item,omitempty"`
	Error         string  `json:"error,omitempty"`
}

// drivers maps a client name to the function that runs it in this process.
var drivers = map[string]func(w workload, addr string) (result, error){
	"port":           drivePort,
	"goimap-collect": func(w workload, addr string) (result, error) { return driveGoIMAP(w, addr, false) },
	"goimap-stream":  func(w workload, addr string) (result, error) { return driveGoIMAP(w, addr, true) },
	"raw":            func(w workload, addr string) (result, error) { return driveRaw(w, addr, false) },
	"raw-keep":       func(w workload, addr string) (result, error) { return driveRaw(w, addr, true) },
	"raw-write":      driveRawWrite,
}

// mallocs is the number of heap allocations so far.
func mallocs() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.Mallocs
}

// drivePort runs the workload with this repository's imaplib.
func drivePort(w workload, addr string) (result, error) {
	host, portText, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(portText)
	m, err := imaplib.NewIMAP4(host, port, 0)
	if err != nil {
		return result{}, err
	}
	defer m.Shutdown()
	if _, _, err := m.Login("bench", "bench"); err != nil {
		return result{}, err
	}
	if _, _, err := m.Select("INBOX", false); err != nil {
		return result{}, err
	}
	var r result
	var typ string
	var data [][]byte
	before := mallocs()
	start := time.Now()
	switch w.Name {
	case "fetch-bulk", "fetch-large", "hostile":
		typ, data, err = m.Fetch(w.fetchSet(), "(RFC822)")
	case "fetch-small":
		typ, data, err = m.Fetch(w.fetchSet(), "(FLAGS UID)")
	case "search":
		typ, data, err = m.Search("", "ALL")
	case "append":
		msg := message(w.Size)
		start = time.Now()
		for i := 0; i < w.Count && err == nil; i++ {
			typ, data, err = m.Append("INBOX", "", nil, msg)
			if err == nil && typ != "OK" {
				err = fmt.Errorf("APPEND answered %s %q", typ, data)
			}
			r.Count++
		}
	}
	r.Seconds = time.Since(start).Seconds()
	allocs := mallocs() - before
	if w.Name == "hostile" {
		if err == nil {
			return r, errors.New("the hostile literal was accepted")
		}
		return result{Count: 1}, nil
	}
	if err != nil {
		return r, err
	}
	if typ != "OK" {
		return r, fmt.Errorf("answered %s", typ)
	}
	switch w.Name {
	case "fetch-bulk", "fetch-large":
		for _, it := range imaplib.Items(data) {
			if it.Tuple {
				r.Count++
				r.Check += int64(len(it.Literal))
			}
		}
	case "fetch-small":
		for _, d := range data {
			r.Count++
			r.Check += uidOf(d)
		}
		r.AllocsPerItem = float64(allocs) / float64(w.Count)
	case "search":
		r.Count, r.Check = sumNumbers(data[0])
	case "append":
		r.Check = appendUID(data[0])
	}
	return r, nil
}

// uidOf reads the number after "UID " in a FETCH datum, 0 if absent.
func uidOf(d []byte) int64 {
	i := bytes.Index(d, []byte("UID "))
	if i < 0 {
		return 0
	}
	d = d[i+4:]
	j := 0
	for j < len(d) && '0' <= d[j] && d[j] <= '9' {
		j++
	}
	n, _ := strconv.ParseInt(string(d[:j]), 10, 64)
	return n
}

// sumNumbers counts and adds up the space-separated numbers of a SEARCH
// datum.
func sumNumbers(d []byte) (count, sum int64) {
	for _, f := range bytes.Fields(d) {
		n, err := strconv.ParseInt(string(f), 10, 64)
		if err == nil {
			count++
			sum += n
		}
	}
	return count, sum
}

// appendUID reads the UID of an "[APPENDUID validity uid]" response code.
func appendUID(d []byte) int64 {
	_, rest, ok := bytes.Cut(d, []byte("[APPENDUID "))
	if !ok {
		return 0
	}
	f := bytes.Fields(rest)
	if len(f) < 2 {
		return 0
	}
	n, _ := strconv.ParseInt(string(bytes.TrimSuffix(f[1], []byte("]"))), 10, 64)
	return n
}

// driveGoIMAP runs the workload with go-imap v2, collecting every message
// into memory (Collect) or handling each as it streams in, bodies counted
// and dropped.
func driveGoIMAP(w workload, addr string, stream bool) (result, error) {
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		return result{}, err
	}
	defer c.Close()
	if err := c.Login("bench", "bench").Wait(); err != nil {
		return result{}, err
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		return result{}, err
	}
	var seq imap.SeqSet
	seq.AddRange(1, uint32(w.Count))
	var opts imap.FetchOptions
	if w.Name == "fetch-small" {
		opts.Flags, opts.UID = true, true
	} else {
		opts.BodySection = []*imap.FetchItemBodySection{{}}
	}
	var r result
	before := mallocs()
	start := time.Now()
	switch {
	case w.Name == "search":
		var data *imap.SearchData
		data, err = c.Search(&imap.SearchCriteria{}, nil).Wait()
		r.Seconds = time.Since(start).Seconds()
		if err == nil {
			for _, n := range data.AllSeqNums() {
				r.Count++
				r.Check += int64(n)
			}
		}
	case w.Name == "append":
		msg := message(w.Size)
		start = time.Now()
		for i := 0; i < w.Count && err == nil; i++ {
			cmd := c.Append("INBOX", int64(len(msg)), nil)
			_, werr := cmd.Write(msg)
			cerr := cmd.Close()
			data, derr := cmd.Wait()
			if err = errors.Join(werr, cerr, derr); err == nil {
				r.Count++
				r.Check = int64(data.UID)
			}
		}
		r.Seconds = time.Since(start).Seconds()
	case stream:
		cmd := c.Fetch(seq, &opts)
		for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
			for item := msg.Next(); item != nil; item = msg.Next() {
				switch it := item.(type) {
				case imapclient.FetchItemDataBodySection:
					n, cerr := io.Copy(io.Discard, it.Literal)
					if cerr != nil && err == nil {
						err = cerr
					}
					r.Count++
					r.Check += n
				case imapclient.FetchItemDataUID:
					r.Count++
					r.Check += int64(it.UID)
				}
			}
		}
		if cerr := cmd.Close(); err == nil {
			err = cerr
		}
		r.Seconds = time.Since(start).Seconds()
	default:
		var msgs []*imapclient.FetchMessageBuffer
		msgs, err = c.Fetch(seq, &opts).Collect()
		r.Seconds = time.Since(start).Seconds()
		for _, msg := range msgs {
			r.Count++
			if w.Name == "fetch-small" {
				r.Check += int64(msg.UID)
			}
			for _, b := range msg.BodySection {
				r.Check += int64(len(b.Bytes))
			}
		}
	}
	allocs := mallocs() - before
	if w.Name == "hostile" {
		if err == nil {
			return r, errors.New("the hostile literal was accepted")
		}
		return result{Count: 1}, nil
	}
	if w.Name == "fetch-small" {
		r.AllocsPerItem = float64(allocs) / float64(w.Count)
	}
	return r, err
}

// rawLogin connects and logs in with plain writes and reads, leaving no
// byte buffered, so the timed part reads the socket directly.
func rawLogin(addr string) (net.Conn, *bufio.Reader, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	br := bufio.NewReaderSize(c, 256<<10)
	if _, err := br.ReadString('\n'); err != nil {
		c.Close()
		return nil, nil, err
	}
	for _, cmd := range []string{"a1 LOGIN bench bench", "a2 SELECT INBOX"} {
		tag := cmd[:2] + " "
		if _, err := io.WriteString(c, cmd+"\r\n"); err != nil {
			c.Close()
			return nil, nil, err
		}
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				c.Close()
				return nil, nil, err
			}
			if strings.HasPrefix(line, tag) {
				if !strings.HasPrefix(line, tag+"OK") {
					c.Close()
					return nil, nil, fmt.Errorf("%s: %s", cmd, line)
				}
				break
			}
		}
	}
	if br.Buffered() != 0 {
		c.Close()
		return nil, nil, errors.New("bytes after the SELECT completion")
	}
	return c, br, nil
}

// rawChunk is what the raw readers ask of the socket per read.
const rawChunk = 256 << 10

// driveRaw sends the workload's command and reads the exact number of bytes
// the reply has: the limit any client can reach. keep selects keeping every
// byte in freshly allocated memory, as a client must; otherwise one buffer
// is reused and only newlines are counted.
func driveRaw(w workload, addr string, keep bool) (result, error) {
	c, _, err := rawLogin(addr)
	if err != nil {
		return result{}, err
	}
	defer c.Close()
	want := w.wire("a3")
	done := completion("a3", w.doneName())
	c.SetReadDeadline(time.Now().Add(5 * time.Minute))
	var r result
	var chunks [][]byte
	buf := make([]byte, rawChunk)
	var tail []byte
	start := time.Now()
	if _, err := io.WriteString(c, "a3 "+w.command()+"\r\n"); err != nil {
		return r, err
	}
	for r.Check < want.Check {
		if keep && (len(chunks) == 0 || len(chunks[len(chunks)-1]) == cap(chunks[len(chunks)-1])) {
			chunks = append(chunks, make([]byte, 0, rawChunk))
		}
		if keep {
			buf = chunks[len(chunks)-1]
			buf = buf[len(buf):cap(buf)]
		}
		n, err := c.Read(buf)
		if keep {
			last := &chunks[len(chunks)-1]
			*last = (*last)[:len(*last)+n]
		} else {
			r.Count += int64(bytes.Count(buf[:n], []byte("\n")))
			// Keep the last len(done) bytes seen, across reads.
			tail = append(tail, buf[max(0, n-len(done)):n]...)
			tail = tail[:copy(tail, tail[max(0, len(tail)-len(done)):])]
		}
		r.Check += int64(n)
		if err != nil {
			return r, err
		}
	}
	r.Seconds = time.Since(start).Seconds()
	if keep {
		for _, ch := range chunks {
			r.Count += int64(bytes.Count(ch, []byte("\n")))
		}
		tail = lastBytes(chunks, len(done))
	}
	if !bytes.Equal(tail, done) {
		return r, fmt.Errorf("reply ends with %q, want %q", tail, done)
	}
	return r, nil
}

// lastBytes returns the last n bytes held by chunks.
func lastBytes(chunks [][]byte, n int) []byte {
	var out []byte
	for i := len(chunks) - 1; i >= 0 && len(out) < n; i-- {
		ch := chunks[i]
		out = append(ch[max(0, len(ch)-(n-len(out))):len(ch):len(ch)], out...)
	}
	return out
}

// driveRawWrite runs APPEND with the fewest possible operations: the
// command line, the continuation read, the message and its CRLF in one
// write, the completion read. It is the send-side limit.
func driveRawWrite(w workload, addr string) (result, error) {
	c, br, err := rawLogin(addr)
	if err != nil {
		return result{}, err
	}
	defer c.Close()
	msg := append(message(w.Size), "\r\n"...)
	var r result
	start := time.Now()
	for i := 0; i < w.Count; i++ {
		tag := "w" + strconv.Itoa(i)
		if _, err := io.WriteString(c, tag+" APPEND INBOX {"+strconv.Itoa(w.Size)+"}\r\n"); err != nil {
			return r, err
		}
		line, err := br.ReadSlice('\n')
		if err != nil {
			return r, err
		}
		if line[0] != '+' {
			return r, fmt.Errorf("no continuation: %q", line)
		}
		if _, err := c.Write(msg); err != nil {
			return r, err
		}
		line, err = br.ReadSlice('\n')
		if err != nil {
			return r, err
		}
		if !bytes.HasPrefix(line, []byte(tag+" OK")) {
			return r, fmt.Errorf("APPEND answered %q", line)
		}
		r.Count++
		r.Check = appendUID(line)
	}
	r.Seconds = time.Since(start).Seconds()
	return r, nil
}
