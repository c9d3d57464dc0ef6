package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// measurement is one command line measured repeatedly.
type measurement struct {
	name     string
	build    string     // the signwatch build's label ("" for the working tree, "@REV")
	scan     string     // what a scan measures (input and GOMAXPROCS), the same for every build
	baseline bool       // the gzip -dc reference
	in       share      // what the measured command reads
	argv     [][]string // run one after another (file lists are chunked)
	env      []string
	output   string // signwatch --output file, checked after the first run
	times    []time.Duration
	rssKB    int64
	failed   string
	reported string
}

// timeBin is GNU time, used for peak RSS when present.
const timeBin = "/usr/bin/time"

// binary is one signwatch build to measure; label is empty for the working
// tree's and "@REV" for a baseline's.
type binary struct{ label, path string }

func measurements(ds *dataset, bins []binary, extra []string, dir string) []*measurement {
	var ms []*measurement
	if len(ds.gzFiles) > 0 {
		gz := &measurement{name: "gzip -dc *.json.gz > /dev/null", baseline: true, in: ds.gz}
		for _, c := range chunks(ds.gzFiles) {
			gz.argv = append(gz.argv, append([]string{"gzip", "-dc"}, c...))
		}
		ms = append(ms, gz)
	}
	if len(ds.plainFiles) > 0 {
		cat := &measurement{name: "cat *.json > /dev/null", in: ds.plain}
		for _, c := range chunks(ds.plainFiles) {
			cat.argv = append(cat.argv, append([]string{"cat"}, c...))
		}
		ms = append(ms, cat)
	}
	for _, in := range ds.targets {
		for _, procs := range []int{1, 2} {
			for i, b := range bins { // builds side by side, so drift hits them alike
				outFile := filepath.Join(dir, fmt.Sprintf("scan%s-%d.out.json", in.label, procs))
				if i > 0 {
					outFile = filepath.Join(dir, fmt.Sprintf("scan%s-%d.baseline.out.json", in.label, procs))
				}
				argv := append([]string{b.path, "scan", "--format", "json", "--output", outFile}, extra...)
				ms = append(ms, &measurement{
					name:   fmt.Sprintf("signwatch%s scan %s GOMAXPROCS=%d", b.label, in.label, procs),
					build:  b.label,
					scan:   fmt.Sprintf("%s GOMAXPROCS=%d", in.label, procs),
					in:     share{ds.events, ds.rawBytes},
					argv:   [][]string{append(argv, in.path)},
					env:    []string{"GOMAXPROCS=" + strconv.Itoa(procs)},
					output: outFile,
				})
			}
		}
	}
	return ms
}

// runOnce runs the measurement's commands once and records the wall time
// and the peak RSS of the largest process.
func (m *measurement) runOnce(ctx context.Context) {
	if m.failed != "" {
		return
	}
	var total time.Duration
	for _, argv := range m.argv {
		d, rss, err := runTimed(ctx, argv, m.env)
		if err != nil {
			m.failed = err.Error()
			return
		}
		total += d
		m.rssKB = max(m.rssKB, rss)
	}
	m.times = append(m.times, total)
	if m.output != "" && m.reported == "" {
		m.reported = scanReport(m.output, m.in.events)
	}
}

// runTimed runs argv with stdout discarded and returns its wall time and
// peak RSS in KiB (from GNU time when present, else the child's rusage).
func runTimed(ctx context.Context, argv []string, env []string) (time.Duration, int64, error) {
	rssFile := ""
	if _, err := os.Stat(timeBin); err == nil {
		f, err := os.CreateTemp("", "harness-rss-")
		if err != nil {
			return 0, 0, fmt.Errorf("temp file: %w", err)
		}
		rssFile = f.Name()
		f.Close()
		defer os.Remove(rssFile)
		argv = append([]string{timeBin, "-f", "%M", "-o", rssFile}, argv...)
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	if devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
		defer devnull.Close()
		cmd.Stdout = devnull
	}
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w: %s", strings.Join(argv[:min(len(argv), 6)], " "), err, tail(stderr.Bytes(), 600))
	}
	rss := childRSS(cmd)
	if rssFile != "" {
		if b, err := os.ReadFile(rssFile); err == nil {
			if v, err := strconv.ParseInt(lastLine(b), 10, 64); err == nil {
				rss = v
			}
		}
	}
	return d, rss, nil
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// scanReport summarises what the scan said about its input (docs/scan-output.md:
// summary.files.read, summary.events.read/unique/duplicates/parse_errors and
// the detections), and checks the events it read against the harness's own
// count.
func scanReport(path string, wantEvents int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "no output file: " + err.Error()
	}
	var doc struct {
		Detections []json.RawMessage `json:"detections"`
		Summary    map[string]any    `json:"summary"`
	}
	if err := json.Unmarshal(b, &doc); err != nil || doc.Summary == nil {
		return fmt.Sprintf("output of %d bytes without a summary object", len(b))
	}
	var parts []string
	for _, k := range []string{"files.read", "events.read", "events.unique", "events.duplicates", "events.parse_errors"} {
		if v, ok := lookup(doc.Summary, k); ok {
			parts = append(parts, fmt.Sprintf("%s=%v", k, v))
		}
	}
	parts = append(parts, fmt.Sprintf("detections=%d", len(doc.Detections)))
	if v, ok := lookup(doc.Summary, "events.read"); ok {
		if n, isNum := v.(float64); isNum && int(n) != wantEvents {
			parts = append(parts, fmt.Sprintf("MISMATCH: the harness counted %d events", wantEvents))
		} else if isNum {
			parts = append(parts, "(matches the harness's count)")
		}
	}
	return strings.Join(parts, " ")
}

// lookup follows a dotted path through nested JSON objects.
func lookup(m map[string]any, path string) (any, bool) {
	var v any = m
	for _, k := range strings.Split(path, ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = obj[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func report(out io.Writer, ds *dataset, ms []*measurement) {
	var base time.Duration
	for _, m := range ms {
		if m.baseline && len(m.times) > 0 {
			base = median(m.times)
		}
	}
	w := 40
	for _, m := range ms {
		w = max(w, len(m.name))
	}
	fmt.Fprintf(out, "\n%-*s %9s %9s %12s %9s %8s %9s\n", w, "measurement (median of runs)", "median", "min", "events/s", "MB/s", "x gzip", "peak RSS")
	for _, m := range ms {
		if m.failed != "" {
			fmt.Fprintf(out, "%-*s FAILED: %s\n", w, m.name, m.failed)
			continue
		}
		med, lo := median(m.times), slicesMin(m.times)
		ratio := "-"
		if base > 0 {
			ratio = fmt.Sprintf("%.2f", med.Seconds()/base.Seconds())
		}
		fmt.Fprintf(out, "%-*s %8.3fs %8.3fs %12.0f %9.1f %8s %7.1fMB\n", w, m.name, med.Seconds(), lo.Seconds(),
			float64(m.in.events)/med.Seconds(), mb(m.in.raw)/med.Seconds(), ratio, float64(m.rssKB)/1024)
	}
	fmt.Fprintf(out, "\nevents/s and MB/s count the events and decompressed JSON bytes each command reads (signwatch: all %d events,\n"+
		"%.1f MB); x gzip is the median time divided by gzip -dc's.\n", ds.events, mb(ds.rawBytes))
	for _, m := range ms {
		if m.reported != "" {
			fmt.Fprintf(out, "%s reported: %s\n", m.name, m.reported)
		}
	}
	compareBuilds(out, ms)
}

// compareBuilds prints, for each scan measured with both the working tree's
// build and a baseline build, the ratio of their median times.
func compareBuilds(out io.Writer, ms []*measurement) {
	current := map[string]*measurement{}
	for _, m := range ms {
		if m.scan != "" && m.build == "" && m.failed == "" && len(m.times) > 0 {
			current[m.scan] = m
		}
	}
	header := false
	for _, m := range ms {
		c := current[m.scan]
		if m.build == "" || m.failed != "" || len(m.times) == 0 || c == nil {
			continue
		}
		if !header {
			fmt.Fprintf(out, "\nworking tree against %s (median time, same runs; below 1 is faster):\n", strings.TrimPrefix(m.build, "@"))
			header = true
		}
		fmt.Fprintf(out, "  %-40s %.2fx\n", c.name, median(c.times).Seconds()/median(m.times).Seconds())
	}
}

func slicesMin(ds []time.Duration) time.Duration {
	m := ds[0]
	for _, d := range ds[1:] {
		m = min(m, d)
	}
	return m
}
