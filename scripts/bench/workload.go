package main

import (
	"bytes"
	"fmt"
	"strconv"
)

// A workload is one measured exchange: the server's reply is rendered once,
// and every client runs the same command against it.
type workload struct {
	Name  string // fetch-bulk, fetch-small, fetch-large, search, append, hostile
	Title string // the row label in the table
	Count int    // messages, responses or numbers
	Size  int    // bytes per message (fetch-bulk, fetch-large, append)
}

// hostileSize is the literal size the hostile workload announces; the
// server then sends hostileTail and closes the connection.
const (
	hostileSize = 4000000000
	hostileTail = "a few bytes"
)

// workloads lists what a run measures. quick selects sizes small enough for
// a smoke run of a few seconds.
func workloads(quick bool) []workload {
	if quick {
		return []workload{
			{"fetch-bulk", "FETCH 1:200 (RFC822), 64 KiB each", 200, 64 << 10},
			{"fetch-small", "FETCH 1:10000 (FLAGS UID)", 10000, 0},
			{"fetch-large", "FETCH 1 (RFC822), one 16 MiB literal", 1, 16 << 20},
			{"search", "SEARCH ALL, 10,000 numbers on one line", 10000, 0},
			{"append", "APPEND 200 x 64 KiB", 200, 64 << 10},
			{"hostile", "FETCH 1 (RFC822), {4000000000} then a few bytes", 1, hostileSize},
		}
	}
	return []workload{
		{"fetch-bulk", "FETCH 1:2000 (RFC822), 64 KiB each", 2000, 64 << 10},
		{"fetch-small", "FETCH 1:100000 (FLAGS UID)", 100000, 0},
		{"fetch-large", "FETCH 1 (RFC822), one 200 MiB literal", 1, 200 << 20},
		{"search", "SEARCH ALL, 100,000 numbers on one line", 100000, 0},
		{"append", "APPEND 2000 x 64 KiB", 2000, 64 << 10},
		{"hostile", "FETCH 1 (RFC822), {4000000000} then a few bytes", 1, hostileSize},
	}
}

// message is the body every FETCH and APPEND carries: size bytes of
// letters in 76-character lines ending in CRLF, so that APPEND's line-ending
// normalisation leaves it as it is.
func message(size int) []byte {
	msg := make([]byte, size)
	for i := range msg {
		msg[i] = 'a' + byte(i%26)
	}
	for i := 76; i+1 < size; i += 78 {
		msg[i], msg[i+1] = '\r', '\n'
	}
	return msg
}

// fetchSet is the message set a FETCH workload asks for.
func (w workload) fetchSet() string {
	if w.Count == 1 {
		return "1"
	}
	return "1:" + strconv.Itoa(w.Count)
}

// command is the command line (without tag and CRLF) the raw drivers send;
// the library drivers send the same command through their own API.
func (w workload) command() string {
	switch w.Name {
	case "fetch-bulk", "fetch-large", "hostile":
		return "FETCH " + w.fetchSet() + " (RFC822)"
	case "fetch-small":
		return "FETCH " + w.fetchSet() + " (FLAGS UID)"
	case "search":
		return "SEARCH ALL"
	}
	panic("no single command for " + w.Name)
}

// reply renders the untagged part of the server's answer to the workload's
// command as pieces that share the message body, so that even the 200 MiB
// workload costs one copy of its literal. body selects "BODY[]" instead of
// "RFC822" as the item name (go-imap asks for BODY[] and only parses that).
func (w workload) reply(msg []byte, body bool) [][]byte {
	item := "RFC822"
	if body {
		item = "BODY[]"
	}
	switch w.Name {
	case "fetch-bulk", "fetch-large":
		out := make([][]byte, 0, 3*w.Count)
		tail := []byte(")\r\n")
		for i := 1; i <= w.Count; i++ {
			head := fmt.Sprintf("* %d FETCH (%s {%d}\r\n", i, item, len(msg))
			out = append(out, []byte(head), msg, tail)
		}
		return out
	case "fetch-small":
		var b []byte
		for i := 1; i <= w.Count; i++ {
			b = append(b, "* "...)
			b = strconv.AppendInt(b, int64(i), 10)
			b = append(b, ` FETCH (FLAGS (\Seen) UID `...)
			b = strconv.AppendInt(b, int64(i), 10)
			b = append(b, ")\r\n"...)
		}
		return [][]byte{b}
	case "search":
		b := []byte("* SEARCH")
		for i := 1; i <= w.Count; i++ {
			b = append(b, ' ')
			b = strconv.AppendInt(b, int64(i), 10)
		}
		return [][]byte{append(b, "\r\n"...)}
	case "hostile":
		head := fmt.Sprintf("* 1 FETCH (%s {%d}\r\n", item, hostileSize)
		return [][]byte{[]byte(head), []byte(hostileTail)}
	}
	panic("no reply for " + w.Name)
}

// completion is the tagged line that ends the reply to tag.
func completion(tag, name string) []byte {
	return []byte(tag + " OK " + name + " completed\r\n")
}

// expect is what a driver must report for a workload: count and check
// computed from what the client returned (see the table in
// docs/performance.md for their meaning per workload).
type expect struct {
	Count int64
	Check int64
}

// expected returns the counts a library client must report.
func (w workload) expected() expect {
	switch w.Name {
	case "fetch-bulk", "fetch-large", "append":
		return expect{int64(w.Count), int64(w.Count) * int64(w.Size)}
	case "fetch-small", "search":
		n := int64(w.Count)
		return expect{n, n * (n + 1) / 2}
	}
	return expect{}
}

// wire returns what a raw reader must count for a workload answered to
// tag: the newlines and the bytes on the wire. It works from the sizes, so
// that checking a 200 MiB reply costs no 200 MiB message.
func (w workload) wire(tag string) expect {
	var e expect
	switch w.Name {
	case "fetch-bulk", "fetch-large":
		for i := 1; i <= w.Count; i++ {
			head := fmt.Sprintf("* %d FETCH (RFC822 {%d}\r\n", i, w.Size)
			e.Count += 2 + messageNewlines(w.Size) // the head's, the body's, the ")"'s
			e.Check += int64(len(head) + w.Size + len(")\r\n"))
		}
	default:
		for _, p := range w.reply(nil, false) {
			e.Count += int64(bytes.Count(p, []byte("\n")))
			e.Check += int64(len(p))
		}
	}
	done := completion(tag, w.doneName())
	e.Count++
	e.Check += int64(len(done))
	return e
}

// messageNewlines is the number of LFs in message(size): one per full
// 78-byte line.
func messageNewlines(size int) int64 {
	if size < 78 {
		return 0
	}
	return int64((size-78)/78 + 1)
}

// doneName is the command word in the tagged completion.
func (w workload) doneName() string {
	if w.Name == "search" {
		return "SEARCH"
	}
	return "FETCH"
}

// pinned reports whether the workload is a ping-pong exchange, bound by
// how fast each end wakes the other, which the runner measures with the
// server and the clients on CPUs of their own.
func (w workload) pinned() bool { return w.Name == "append" }
