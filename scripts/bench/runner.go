package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// client is one contestant: a driver of this program or the CPython driver
// under one interpreter.
type client struct {
	Name   string // driver name, or "cpython-3.13.0"
	Label  string // column label in the table
	Python string // interpreter path for CPython drivers
	Exe    string // another build of this program to run the driver from
}

// isRaw reports whether the client counts wire bytes rather than data.
func (c client) isRaw() bool { return strings.HasPrefix(c.Name, "raw") }

// config is what a run was asked for.
type config struct {
	quick   bool
	reps    int
	only    map[string]bool // workload names to run; empty means all
	pythons []client
	script  string // the CPython driver
	outDir  string
	self    string // this program, for the Go drivers
	alt     string // another build of this program, whose port driver runs too
	timeout time.Duration
}

// measurement is one driver run.
type measurement struct {
	Rep    int     `json:"rep"`
	Result result  `json:"result"`
	RSSKiB int64   `json:"rss_kib"`
	Err    string  `json:"err,omitempty"`
	Wall   float64 `json:"wall_seconds"`
}

// row is the summary of one client on one workload.
type row struct {
	Workload  string        `json:"workload"`
	Client    string        `json:"client"`
	Label     string        `json:"label"`
	Seconds   float64       `json:"median_seconds"`
	VsRaw     float64       `json:"median_ratio_vs_raw"`  // time / raw read (or raw write) time, same rep
	VsKeep    float64       `json:"median_ratio_vs_keep"` // time / raw keep time, same rep
	RSSKiB    int64         `json:"median_rss_kib"`
	MaxRSSKiB int64         `json:"max_rss_kib"`
	Allocs    float64       `json:"allocs_per_item,omitempty"`
	Rate      string        `json:"rate"`
	Pinned    bool          `json:"pinned,omitempty"` // server on CPU 0, client on CPU 1
	Failures  []string      `json:"failures,omitempty"`
	Runs      []measurement `json:"runs"`
}

func runBench(args []string) error {
	cfg := config{reps: 3, timeout: 10 * time.Minute, only: map[string]bool{}}
	cfg.quick = os.Getenv("BENCH_QUICK") == "1"
	if v := os.Getenv("BENCH_REPS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 3 {
			return fmt.Errorf("BENCH_REPS=%q: need a number of at least 3", v)
		}
		cfg.reps = n
	}
	for _, name := range strings.Fields(os.Getenv("BENCH_ONLY")) {
		cfg.only[name] = true
	}
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "-out":
			i++
			cfg.outDir = args[i]
		case "-cpython-driver":
			i++
			cfg.script = args[i]
		default:
			return fmt.Errorf("run: unknown argument %q", args[i])
		}
	}
	if cfg.outDir == "" || cfg.script == "" {
		return errors.New("run: -out and -cpython-driver are required")
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cfg.self = self
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		return errors.New("run: /usr/bin/time is missing (Debian package \"time\")")
	}
	cfg.alt = os.Getenv("BENCH_ALT")
	versions := strings.Fields(os.Getenv("BENCH_PYTHONS"))
	if len(versions) == 0 {
		versions = []string{"3.13.0"}
	}
	for _, v := range versions {
		py, err := findPython(v)
		if err != nil {
			fmt.Fprintf(os.Stderr, "bench: CPython %s left out: %v\n", v, err)
			continue
		}
		cfg.pythons = append(cfg.pythons, client{Name: "cpython-" + v, Label: "CPython " + v, Python: py})
	}
	if err := os.MkdirAll(cfg.outDir, 0o755); err != nil {
		return err
	}

	var rows []*row
	for _, w := range workloads(cfg.quick) {
		if len(cfg.only) > 0 && !cfg.only[w.Name] {
			continue
		}
		fmt.Fprintf(os.Stderr, "bench: %s ...\n", w.Title)
		rs, err := runWorkload(cfg, w)
		if err != nil {
			return fmt.Errorf("%s: %w", w.Name, err)
		}
		rows = append(rows, rs...)
	}
	table := renderTable(cfg, rows)
	fmt.Print(table)
	if err := os.WriteFile(filepath.Join(cfg.outDir, "table.md"), []byte(table), 0o644); err != nil {
		return err
	}
	js, _ := json.MarshalIndent(rows, "", "  ")
	if err := os.WriteFile(filepath.Join(cfg.outDir, "results.json"), js, 0o644); err != nil {
		return err
	}
	for _, r := range rows {
		if len(r.Failures) > 0 {
			return fmt.Errorf("%s/%s failed: %s", r.Workload, r.Client, r.Failures[0])
		}
	}
	return nil
}

// findPython resolves a pyenv version to its interpreter, so that the
// measured process is Python itself rather than pyenv's shell shim.
func findPython(version string) (string, error) {
	cmd := exec.Command("pyenv", "which", "python3")
	cmd.Env = append(os.Environ(), "PYENV_VERSION="+version)
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("pyenv which python3: %v", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// clientsFor lists the contestants of a workload, the reference readers
// first.
func clientsFor(cfg config, w workload) (cs []client) {
	port := client{Name: "port", Label: "imaplib (Go)"}
	collect := client{Name: "goimap-collect", Label: "go-imap v2 Collect"}
	stream := client{Name: "goimap-stream", Label: "go-imap v2 streaming"}
	defer func() {
		// A second build of the library (BENCH_ALT) runs right after the
		// first, to compare a change within one run.
		if cfg.alt == "" {
			return
		}
		for i, c := range cs {
			if c.Name == "port" {
				alt := client{Name: "port-alt", Label: "imaplib (Go), BENCH_ALT build", Exe: cfg.alt}
				cs = append(cs[:i+1], append([]client{alt}, cs[i+1:]...)...)
				break
			}
		}
	}()
	switch w.Name {
	case "append":
		cs = append(cs, client{Name: "raw-write", Label: "raw write"}, port)
		cs = append(cs, cfg.pythons...)
		collect.Label = "go-imap v2"
		return append(cs, collect)
	case "hostile":
		cs = append(cs, port)
		cs = append(cs, cfg.pythons...)
		return append(cs, collect)
	case "search":
		cs = append(cs, client{Name: "raw", Label: "raw read"}, client{Name: "raw-keep", Label: "raw read, kept"}, port)
		cs = append(cs, cfg.pythons...)
		collect.Label = "go-imap v2"
		return append(cs, collect)
	}
	cs = append(cs, client{Name: "raw", Label: "raw read"}, client{Name: "raw-keep", Label: "raw read, kept"}, port)
	cs = append(cs, cfg.pythons...)
	return append(cs, collect, stream)
}

func runWorkload(cfg config, w workload) ([]*row, error) {
	var port int
	var clientCPU string
	if !w.pinned() || !canPin() {
		srv, err := newServer(w)
		if err != nil {
			return nil, err
		}
		defer srv.close()
		port = srv.port()
	} else {
		// A ping-pong exchange takes two to three times longer when the
		// scheduler puts its two ends on different CPUs than on one, and
		// where it puts them changes from run to run: the server gets CPU
		// 0 and every client CPU 1, so that all clients meet the same
		// placement.
		p, stop, err := startPinnedServer(cfg, w, "0")
		if err != nil {
			return nil, err
		}
		defer stop()
		port, clientCPU = p, "1"
	}
	clients := clientsFor(cfg, w)
	rows := make([]*row, len(clients))
	for i, c := range clients {
		rows[i] = &row{Workload: w.Name, Client: c.Name, Label: c.Label, Pinned: clientCPU != ""}
	}
	// One warm-up round, then the measured rounds, each in a rotated order
	// so that no client always runs first or right after the same one.
	for rep := -1; rep < cfg.reps; rep++ {
		for k := range clients {
			i := (k + max(rep, 0)) % len(clients)
			m := runOne(cfg, clients[i], w, port, clientCPU)
			m.Rep = rep
			if rep < 0 {
				if m.Err != "" {
					rows[i].Failures = append(rows[i].Failures, "warm-up: "+m.Err)
				}
				continue
			}
			if m.Err != "" {
				rows[i].Failures = append(rows[i].Failures, m.Err)
			}
			rows[i].Runs = append(rows[i].Runs, m)
		}
	}
	summarise(w, rows)
	return rows, nil
}

// runOne runs one driver under /usr/bin/time -v (on CPU cpu, when given),
// checks what it reports and reads its peak RSS.
func runOne(cfg config, c client, w workload, port int, cpu string) measurement {
	tf, err := os.CreateTemp("", "imapbench-time-")
	if err != nil {
		return measurement{Err: err.Error()}
	}
	tf.Close()
	defer os.Remove(tf.Name())
	common := []string{"-workload", w.Name, "-count", strconv.Itoa(w.Count),
		"-size", strconv.Itoa(w.Size), "-port", strconv.Itoa(port)}
	argv := []string{"-v", "-o", tf.Name()}
	if c.Python != "" {
		argv = append(append(argv, c.Python, cfg.script), common...)
	} else {
		exe, name := cfg.self, c.Name
		if c.Exe != "" {
			exe, name = c.Exe, strings.TrimSuffix(name, "-alt")
		}
		argv = append(append(argv, exe, "drive", "-client", name), common...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/usr/bin/time", argv...)
	if cpu != "" {
		cmd = exec.CommandContext(ctx, "taskset", append([]string{"-c", cpu, "/usr/bin/time"}, argv...)...)
	}
	// On timeout, kill the driver as well as time(1): both are in a
	// process group of their own.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	began := time.Now()
	runErr := cmd.Run()
	m := measurement{Wall: time.Since(began).Seconds(), RSSKiB: maxRSS(tf.Name())}
	line := lastLine(stdout.Bytes())
	if err := json.Unmarshal(line, &m.Result); err != nil {
		m.Err = fmt.Sprintf("no result (%v): %s %s", runErr, strings.TrimSpace(stdout.String()), tail(stderr.String(), 400))
		return m
	}
	if m.Result.Error != "" {
		m.Err = m.Result.Error
		return m
	}
	if runErr != nil {
		m.Err = fmt.Sprintf("%v: %s", runErr, tail(stderr.String(), 400))
		return m
	}
	want := w.expected()
	if c.isRaw() && c.Name != "raw-write" {
		want = w.wire("a3")
	}
	if w.Name == "hostile" {
		want = expect{Count: 1}
	}
	if got := (expect{m.Result.Count, m.Result.Check}); got != want {
		m.Err = fmt.Sprintf("wrong result: count %d check %d, want %d and %d", got.Count, got.Check, want.Count, want.Check)
	}
	return m
}

// maxRSS reads "Maximum resident set size (kbytes)" from /usr/bin/time -v.
func maxRSS(path string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "Maximum resident set size (kbytes):"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	return 0
}

func lastLine(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		return b[i+1:]
	}
	return b
}

func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// summarise computes medians, and time ratios against the raw readers of
// the same round.
func summarise(w workload, rows []*row) {
	byName := map[string]*row{}
	for _, r := range rows {
		byName[r.Client] = r
	}
	repTime := func(name string, rep int) float64 {
		r := byName[name]
		if r == nil {
			return 0
		}
		for _, m := range r.Runs {
			if m.Rep == rep && m.Err == "" {
				return m.Result.Seconds
			}
		}
		return 0
	}
	ref := "raw"
	if w.Name == "append" {
		ref = "raw-write"
	}
	for _, r := range rows {
		var secs, vsRaw, vsKeep, rss, allocs []float64
		var maxKiB int64
		for _, m := range r.Runs {
			rss = append(rss, float64(m.RSSKiB))
			maxKiB = max(maxKiB, m.RSSKiB)
			if m.Err != "" {
				continue
			}
			secs = append(secs, m.Result.Seconds)
			allocs = append(allocs, m.Result.AllocsPerItem)
			if t := repTime(ref, m.Rep); t > 0 {
				vsRaw = append(vsRaw, m.Result.Seconds/t)
			}
			if t := repTime("raw-keep", m.Rep); t > 0 {
				vsKeep = append(vsKeep, m.Result.Seconds/t)
			}
		}
		r.Seconds, r.VsRaw, r.VsKeep = median(secs), median(vsRaw), median(vsKeep)
		r.RSSKiB, r.MaxRSSKiB, r.Allocs = int64(median(rss)), maxKiB, median(allocs)
		r.Rate = rate(w, r.Seconds)
	}
}

// rate is the throughput of a median time, in the workload's unit.
func rate(w workload, secs float64) string {
	if secs <= 0 || w.Name == "hostile" {
		return "n/a"
	}
	switch w.Name {
	case "fetch-small":
		return fmt.Sprintf("%.2f M resp/s", float64(w.Count)/secs/1e6)
	case "search":
		return fmt.Sprintf("%.1f M numbers/s", float64(w.Count)/secs/1e6)
	}
	return fmt.Sprintf("%.2f GB/s", float64(w.Count)*float64(w.Size)/secs/1e9)
}

func mib(kib int64) string { return fmt.Sprintf("%.0f MiB", float64(kib)/1024) }

func ratio(x float64) string {
	if x <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", x)
}

// machine describes the host for the table's heading.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	return fmt.Sprintf("%d CPUs (%s), %s, %s/%s", runtime.NumCPU(), model, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func renderTable(cfg config, rows []*row) string {
	var b strings.Builder
	mode := "full sizes"
	if cfg.quick {
		mode = "BENCH_QUICK=1 (reduced sizes)"
	}
	fmt.Fprintf(&b, "Machine: %s. Mode: %s, %d measured rounds after one warm-up, medians.\n\n", machine(), mode, cfg.reps)
	b.WriteString("| workload | client | median time | rate | × raw read (APPEND: raw write) | × raw read, kept | peak RSS | notes |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	titles := map[string]string{}
	for _, w := range workloads(cfg.quick) {
		titles[w.Name] = w.Title
	}
	for _, r := range rows {
		t := "–"
		if r.Seconds > 0 {
			t = fmt.Sprintf("%.1f ms", r.Seconds*1e3)
		}
		var notes []string
		if r.Allocs > 0 {
			notes = append(notes, fmt.Sprintf("%.2f allocs/resp", r.Allocs))
		}
		if r.Pinned {
			notes = append(notes, "server on CPU 0, client on CPU 1")
		}
		if len(r.Failures) > 0 {
			notes = append(notes, "FAILED: "+strings.Join(strings.Fields(r.Failures[0]), " "))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", titles[r.Workload], r.Label, t, r.Rate,
			ratio(r.VsRaw), ratio(r.VsKeep), mib(r.RSSKiB), strings.Join(notes, "; "))
	}
	b.WriteString("\n")
	b.WriteString(targets(cfg, rows, "port", "imaplib (Go)"))
	if cfg.alt != "" {
		b.WriteString("\n")
		b.WriteString(targets(cfg, rows, "port-alt", "imaplib (Go), BENCH_ALT build"))
	}
	return b.String()
}

// targets checks the goals, each a ratio or a bound inside this run.
func targets(cfg config, rows []*row, port, label string) string {
	get := func(wl, client string) *row {
		for _, r := range rows {
			if r.Workload == wl && r.Client == client {
				return r
			}
		}
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Targets (%s, this run):\n\n", label)
	line := func(ok bool, format string, a ...any) {
		mark := "met"
		if !ok {
			mark = "NOT met"
		}
		fmt.Fprintf(&b, "- %s: %s\n", fmt.Sprintf(format, a...), mark)
	}
	py := "cpython-3.13.0"
	ws := map[string]workload{}
	for _, w := range workloads(cfg.quick) {
		ws[w.Name] = w
	}
	if p := get("fetch-bulk", port); p != nil && p.VsKeep > 0 {
		line(p.VsKeep <= 1.2, "bulk FETCH at %.2f× the kept raw read (≤ 1.20×)", p.VsKeep)
	}
	if p := get("fetch-small", port); p != nil && p.Seconds > 0 {
		w := ws["fetch-small"]
		perSec := float64(w.Count) / p.Seconds
		line(perSec >= 4e6, "small responses at %.2f M/s (≥ 4 M/s)", perSec/1e6)
		if c := get("fetch-small", py); c != nil && c.Seconds > 0 {
			line(c.Seconds/p.Seconds >= 10, "small responses %.1f× CPython 3.13 (≥ 10×)", c.Seconds/p.Seconds)
		}
		best := 0.0
		for _, name := range []string{"goimap-collect", "goimap-stream"} {
			if g := get("fetch-small", name); g != nil && g.Seconds > 0 && (best == 0 || g.Seconds < best) {
				best = g.Seconds
			}
		}
		if best > 0 {
			line(best/p.Seconds >= 9, "small responses %.1f× the faster go-imap (≥ 9×)", best/p.Seconds)
		}
		line(p.Allocs <= 3, "%.2f allocations per small untagged response (≤ 3)", p.Allocs)
	}
	if p := get("fetch-large", port); p != nil && p.Seconds > 0 {
		w := ws["fetch-large"]
		if c := get("fetch-large", py); c != nil && c.Seconds > 0 {
			line(p.Seconds <= c.Seconds, "large literal in %.0f ms against CPython 3.13's %.0f ms (no slower)", p.Seconds*1e3, c.Seconds*1e3)
		}
		limit := int64(1.1*float64(w.Size)/1024) + 16<<10
		line(p.MaxRSSKiB <= limit, "large literal peak RSS %s, %.2f× the literal (≤ 1.1× + 16 MiB = %s)",
			mib(p.MaxRSSKiB), float64(p.MaxRSSKiB)*1024/float64(w.Size), mib(limit))
	}
	if p := get("hostile", port); p != nil && p.MaxRSSKiB > 0 {
		line(p.MaxRSSKiB < 32<<10 && len(p.Failures) == 0, "hostile {4000000000} literal peak RSS %s (< 32 MiB)", mib(p.MaxRSSKiB))
	}
	if p := get("append", port); p != nil && p.VsRaw > 0 {
		line(1/p.VsRaw >= 0.8, "APPEND at %.2f× the raw write throughput (≥ 0.8×)", 1/p.VsRaw)
	}
	return b.String()
}

// parseArgs reads the "-name value" pairs of the drive and serve
// subcommands.
func parseArgs(args []string) (name string, w workload, port int, err error) {
	for i := 0; i < len(args); i += 2 {
		if i+1 >= len(args) {
			return "", w, 0, fmt.Errorf("%s needs a value", args[i])
		}
		v := args[i+1]
		n, _ := strconv.Atoi(v)
		switch args[i] {
		case "-client":
			name = v
		case "-workload":
			w.Name = v
		case "-count":
			w.Count = n
		case "-size":
			w.Size = n
		case "-port":
			port = n
		default:
			return "", w, 0, fmt.Errorf("unknown argument %q", args[i])
		}
	}
	return name, w, port, nil
}

// runServe is the "serve" subcommand: the benchmark server on its own, for
// profiling a driver by hand.
func runServe(args []string) error {
	_, w, _, err := parseArgs(args)
	if err != nil {
		return err
	}
	srv, err := newServer(w)
	if err != nil {
		return err
	}
	fmt.Println(srv.port())
	select {}
}

// runDrive is the "drive" subcommand: one client, one workload, one JSON
// line on stdout.
func runDrive(args []string) error {
	name, w, port, err := parseArgs(args)
	if err != nil {
		return err
	}
	drive, ok := drivers[name]
	if !ok {
		return fmt.Errorf("drive: unknown client %q", name)
	}
	if path := os.Getenv("BENCH_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	r, err := drive(w, "127.0.0.1:"+strconv.Itoa(port))
	r.Client = name
	if err != nil {
		r.Error = err.Error()
	}
	out, _ := json.Marshal(r)
	fmt.Println(string(out))
	if err != nil {
		return errReported
	}
	return nil
}

// canPin reports whether clients and server can be given CPUs of their
// own: two CPUs at least, and taskset(1).
func canPin() bool {
	_, err := exec.LookPath("taskset")
	return runtime.NumCPU() >= 2 && err == nil
}

// startPinnedServer runs the benchmark server as a process of its own on
// the given CPU and returns its port and a function that ends it.
func startPinnedServer(cfg config, w workload, cpu string) (int, func(), error) {
	cmd := exec.Command("taskset", "-c", cpu, cfg.self, "serve", "-workload", w.Name,
		"-count", strconv.Itoa(w.Count), "-size", strconv.Itoa(w.Size))
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return 0, nil, err
	}
	stop := func() {
		cmd.Process.Kill()
		cmd.Wait()
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	port, perr := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || perr != nil {
		stop()
		return 0, nil, fmt.Errorf("pinned server: %q %v", line, err)
	}
	return port, stop, nil
}
