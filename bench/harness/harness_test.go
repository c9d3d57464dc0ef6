package main

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestCountEvents(t *testing.T) {
	cases := []struct {
		in   string
		want int
	}{
		{`{"Records":[{"eventID":"a"},{"eventID":"b"}]}`, 2},
		{`{"Records":[]}`, 0},
		{`[{"eventID":"a"},{"eventID":"b"},{"eventID":"c"}]`, 3},
		{`{"eventID":"a","eventName":"ConsoleLogin"}`, 1},
		{"{\"eventID\":\"a\"}\n{\"eventID\":\"b\"}\n", 2},
		{"{\"Records\":[{\"a\":1}]}\n{\"Records\":[{\"a\":2},{\"a\":3}]}", 3},
		{`{"Records":[{"a":{"Records":[1,2,3]}}]}`, 1},
		{`{"awsAccountId":"1","digestStartTime":"x","logFiles":[{"s3Object":"k"}]}`, 0},
	}
	for _, c := range cases {
		got, err := countEvents(strings.NewReader(c.in))
		if err != nil || got != c.want {
			t.Errorf("countEvents(%s) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"# README", `{"Records":5}`, `{"Records":[1,`, `"text"`, "{", "MIT License"} {
		if _, err := countEvents(strings.NewReader(bad)); err == nil {
			t.Errorf("countEvents(%q) accepted non-CloudTrail input", bad)
		}
	}
}

func FuzzCountEvents(f *testing.F) {
	f.Add([]byte(`{"Records":[{"eventID":"a"}]}`))
	f.Add([]byte(`[{"a":1},{"b":2}]`))
	f.Add([]byte("{\"a\":1}\n{\"b\":2}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := countEvents(bytes.NewReader(data))
		if err == nil && n < 0 {
			t.Fatalf("negative count %d", n)
		}
	})
}

func TestCountFileGzip(t *testing.T) {
	dir := t.TempDir()
	body := []byte(`{"Records":[{"eventID":"a"},{"eventID":"b"}]}`)
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write(body)
	zw.Close()
	p := filepath.Join(dir, "x.json.gz")
	if err := os.WriteFile(p, zb.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	n, raw, gz, err := countFile(p)
	if err != nil || n != 2 || raw != int64(len(body)) || !gz {
		t.Errorf("countFile = %d, %d, %v, %v; want 2, %d, true, nil", n, raw, gz, err, len(body))
	}
}

func TestChunks(t *testing.T) {
	files := make([]string, 5000)
	for i := range files {
		files[i] = strings.Repeat("x", 60)
	}
	cs := chunks(files)
	total := 0
	for _, c := range cs {
		size := 0
		for _, f := range c {
			size += len(f) + 1
		}
		if size > 100_000 {
			t.Errorf("chunk of %d bytes", size)
		}
		total += len(c)
	}
	if total != len(files) || len(cs) < 2 {
		t.Errorf("%d chunks holding %d files", len(cs), total)
	}
	if len(chunks(nil)) != 0 {
		t.Error("chunks of nothing")
	}
}

func TestMedian(t *testing.T) {
	if m := median([]time.Duration{5, 1, 3}); m != 3 {
		t.Errorf("median odd = %v", m)
	}
	if m := median([]time.Duration{4, 1, 3, 2}); m != 2 {
		t.Errorf("median even = %v", m)
	}
}

func TestParseFlagsPassesScanArgs(t *testing.T) {
	c, err := parseFlags([]string{"-events", "10", "-reps", "2", "--", "--no-builtin", "--rules", "x"})
	if err != nil {
		t.Fatal(err)
	}
	if c.events != 10 || c.reps != 2 || strings.Join(c.scanArgs, " ") != "--no-builtin --rules x" {
		t.Errorf("parsed %+v", c)
	}
	if _, err := parseFlags([]string{"-events", "0"}); err == nil {
		t.Error("-events 0 accepted")
	}
}

// TestMeasureWithStandIn runs the measurement plumbing against a stand-in
// for signwatch that writes a summary, so the harness is tested without
// depending on the scanner.
func TestMeasureWithStandIn(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses a shell script")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "a.json")
	if err := os.WriteFile(data, []byte(`{"Records":[{"eventID":"a"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "fake-signwatch")
	script := "#!/bin/sh\nwhile [ $# -gt 0 ]; do if [ \"$1\" = --output ]; then echo '{\"detections\":[],\"summary\":{\"files\":{\"read\":1},\"events\":{\"read\":1,\"unique\":1}}}' > \"$2\"; fi; shift; done\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	ds := &dataset{events: 1, rawBytes: 30, plainFiles: []string{data}, plain: share{1, 30}, targets: []target{{"input", dir}}}
	ms := measurements(ds, []binary{{path: bin}}, nil, dir)
	if len(ms) != 3 {
		t.Fatalf("%d measurements, want cat and two scans", len(ms))
	}
	for _, m := range ms {
		m.runOnce(context.Background())
		if m.failed != "" || len(m.times) != 1 {
			t.Fatalf("%s: failed=%q runs=%d", m.name, m.failed, len(m.times))
		}
	}
	var out bytes.Buffer
	report(&out, ds, ms)
	for _, want := range []string{"signwatch scan input GOMAXPROCS=1", "GOMAXPROCS=2", "reported: files.read=1 events.read=1 events.unique=1 detections=0 (matches the harness's count)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// TestBaselineBuildInterleaved measures two builds (the same stand-in under
// two names): their scans alternate and the report compares them.
func TestBaselineBuildInterleaved(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses a shell script")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "fake-signwatch")
	script := "#!/bin/sh\nwhile [ $# -gt 0 ]; do if [ \"$1\" = --output ]; then echo '{\"detections\":[],\"summary\":{\"events\":{\"read\":1}}}' > \"$2\"; fi; shift; done\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	ds := &dataset{events: 1, rawBytes: 30, targets: []target{{".json", dir}}}
	ms := measurements(ds, []binary{{path: bin}, {label: "@v1", path: bin}}, nil, dir)
	var names []string
	for _, m := range ms {
		names = append(names, m.name)
		m.runOnce(context.Background())
	}
	want := "signwatch scan .json GOMAXPROCS=1,signwatch@v1 scan .json GOMAXPROCS=1,signwatch scan .json GOMAXPROCS=2,signwatch@v1 scan .json GOMAXPROCS=2"
	if strings.Join(names, ",") != want {
		t.Fatalf("measurements %v, want the builds side by side", names)
	}
	var out bytes.Buffer
	report(&out, ds, ms)
	for _, want := range []string{"working tree against v1", "signwatch scan .json GOMAXPROCS=1", "x\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Count(out.String(), "x\n") != 2 {
		t.Errorf("want one comparison a scan:\n%s", out.String())
	}
}

func TestFailingScanIsReported(t *testing.T) {
	dir := t.TempDir()
	ds := &dataset{events: 1, rawBytes: 1, targets: []target{{"input", dir}}}
	ms := measurements(ds, []binary{{path: filepath.Join(dir, "missing-binary")}}, nil, dir)
	for _, m := range ms {
		m.runOnce(context.Background())
	}
	var out bytes.Buffer
	report(&out, ds, ms)
	if !strings.Contains(out.String(), "FAILED") {
		t.Errorf("a scan that cannot run is not reported as failed:\n%s", out.String())
	}
}

func TestScanReportMismatch(t *testing.T) {
	p := filepath.Join(t.TempDir(), "out.json")
	if err := os.WriteFile(p, []byte(`{"detections":[{}],"summary":{"events":{"read":7}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := scanReport(p, 9); !strings.Contains(got, "MISMATCH") || !strings.Contains(got, "detections=1") {
		t.Errorf("scanReport = %q", got)
	}
	if got := scanReport(filepath.Join(t.TempDir(), "none"), 1); !strings.Contains(got, "no output file") {
		t.Errorf("scanReport of a missing file = %q", got)
	}
}

func TestCountZip(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.zip")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	w, _ := zw.Create("events.json")
	w.Write([]byte("{\"eventID\":\"a\"}\n{\"eventID\":\"b\"}\n"))
	w, _ = zw.Create("dir/x.json.gz")
	gz := gzip.NewWriter(w)
	gz.Write([]byte(`{"Records":[{"eventID":"c"}]}`))
	gz.Close()
	zw.Close()
	f.Close()
	n, _, err := countZip(p)
	if err != nil || n != 3 {
		t.Errorf("countZip = %d, %v; want 3 events", n, err)
	}
}
