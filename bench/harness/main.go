// Command harness measures signwatch scan throughput on generated CloudTrail
// and compares it, in the same run and on the same files, with `gzip -dc`
// and `cat`.
//
//	go run ./bench/harness [-events N] [-seed S] [-dir DIR] [-keep] [-reps R] [-- extra scan args]
//
// It writes the same seeded events twice in the CloudTrail S3 layout, as
// plain .json objects and as .json.gz objects, builds ./cmd/signwatch, and
// runs every measurement -reps times (interleaved, so drift hits all of them
// alike), reporting medians. See bench/README.md.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/signwatch/signwatch/internal/gen"
)

type config struct {
	events, accounts, perFile, reps int
	seed                            int64
	span                            time.Duration
	scenario, dir, input, baseline  string
	keep                            bool
	scanArgs                        []string
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg, os.Stdout); err != nil {
		slog.Error("harness failed", "err", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (config, error) {
	var c config
	fl := flag.NewFlagSet("harness", flag.ContinueOnError)
	fl.IntVar(&c.events, "events", 200_000, "number of generated events")
	fl.Int64Var(&c.seed, "seed", 1, "generator seed")
	fl.IntVar(&c.accounts, "accounts", 10, "number of AWS accounts")
	fl.DurationVar(&c.span, "span", 6*time.Hour, "time span covered by the events")
	fl.IntVar(&c.perFile, "per-file", 1000, "maximum records per delivery object")
	fl.StringVar(&c.scenario, "scenario", gen.ScenarioMix, "generator scenario (mix or benign-month)")
	fl.StringVar(&c.dir, "dir", "", "work directory (default: a new temporary directory)")
	fl.BoolVar(&c.keep, "keep", false, "keep the generated files (always kept with -dir)")
	fl.IntVar(&c.reps, "reps", 3, "repetitions of each measurement (the median is reported)")
	fl.StringVar(&c.input, "input", "", "measure existing CloudTrail files under this path instead of generating (e.g. the real corpora)")
	fl.StringVar(&c.baseline, "baseline", "", "also build signwatch at this git revision (a commit, HEAD~3, a tag) and measure it interleaved with the working tree's build")
	if err := fl.Parse(args); err != nil {
		return c, err
	}
	c.scanArgs = fl.Args()
	if c.events < 1 || c.reps < 1 || c.perFile < 1 {
		return c, errors.New("-events, -reps and -per-file must be positive")
	}
	return c, nil
}

// dataset describes the measured input.
type dataset struct {
	events              int
	rawBytes            int64    // decompressed JSON bytes
	gzFiles, plainFiles []string // inputs of gzip -dc and cat
	gz, plain           share    // what those files hold
	targets             []target // what signwatch scans
}

// share is the events and decompressed bytes of a subset of the files.
type share struct {
	events int
	raw    int64
}

// target is one path signwatch scans.
type target struct{ label, path string }

func run(ctx context.Context, cfg config, out io.Writer) error {
	dir, cleanup, err := workDir(cfg)
	if err != nil {
		return err
	}
	defer cleanup()
	printMachine(out)
	var ds *dataset
	if cfg.input != "" {
		ds, err = loadInput(cfg.input, out)
	} else {
		ds, err = generate(cfg, dir, out)
	}
	if err != nil {
		return err
	}
	var bins []binary
	if bin, err := buildSignwatch(ctx, dir); err != nil {
		fmt.Fprintf(out, "\nsignwatch build FAILED, only baselines are measured:\n%s\n", indent(err.Error()))
	} else {
		bins = append(bins, binary{path: bin})
	}
	if cfg.baseline != "" {
		bin, err := buildAt(ctx, dir, cfg.baseline)
		if err != nil {
			return err
		}
		bins = append(bins, binary{label: "@" + cfg.baseline, path: bin})
		fmt.Fprintf(out, "\nbaseline: signwatch at %s, measured interleaved with the working tree's build\n", cfg.baseline)
	}
	ms := measurements(ds, bins, cfg.scanArgs, dir)
	if err := warm(ctx, ds); err != nil {
		return err
	}
	for rep := 0; rep < cfg.reps; rep++ {
		for _, m := range ms {
			if err := ctx.Err(); err != nil {
				return err
			}
			m.runOnce(ctx)
		}
	}
	report(out, ds, ms)
	return nil
}

func workDir(cfg config) (string, func(), error) {
	if cfg.dir != "" {
		if err := os.MkdirAll(cfg.dir, 0o755); err != nil {
			return "", nil, fmt.Errorf("creating -dir: %w", err)
		}
		return cfg.dir, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "signwatch-bench-")
	if err != nil {
		return "", nil, fmt.Errorf("creating work directory: %w", err)
	}
	if cfg.keep {
		return dir, func() { fmt.Fprintln(os.Stderr, "kept", dir) }, nil
	}
	return dir, func() { os.RemoveAll(dir) }, nil
}

func generate(cfg config, dir string, out io.Writer) (*dataset, error) {
	opt := gen.Options{Seed: cfg.seed, Events: cfg.events, Accounts: cfg.accounts, Span: cfg.span, Scenario: cfg.scenario}
	jsonDir, gzDir := filepath.Join(dir, "json"), filepath.Join(dir, "gz")
	ds := &dataset{events: cfg.events, targets: []target{{".json", jsonDir}, {".json.gz", gzDir}}}
	start := time.Now()
	for _, d := range []string{jsonDir, gzDir} {
		if err := os.RemoveAll(d); err != nil {
			return nil, fmt.Errorf("clearing %s: %w", d, err)
		}
	}
	nj, bj, err := gen.WriteS3Layout(jsonDir, opt, cfg.perFile, false)
	if err != nil {
		return nil, fmt.Errorf("writing .json objects: %w", err)
	}
	_, bz, err := gen.WriteS3Layout(gzDir, opt, cfg.perFile, true)
	if err != nil {
		return nil, fmt.Errorf("writing .json.gz objects: %w", err)
	}
	ds.rawBytes = bj
	ds.gz, ds.plain = share{cfg.events, bj}, share{cfg.events, bj}
	if ds.plainFiles, err = listFiles(jsonDir); err != nil {
		return nil, err
	}
	if ds.gzFiles, err = listFiles(gzDir); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "\ngenerated %d events (seed %d, scenario %s, %d accounts, span %v) in %.1fs\n",
		cfg.events, cfg.seed, cfg.scenario, cfg.accounts, cfg.span, time.Since(start).Seconds())
	fmt.Fprintf(out, "  %d objects, %.1f records/object\n", nj, float64(cfg.events)/float64(nj))
	fmt.Fprintf(out, "  .json    %8.1f MB  (mean event %.0f bytes)\n", mb(bj), float64(bj)/float64(cfg.events))
	fmt.Fprintf(out, "  .json.gz %8.1f MB  (gzip ratio %.2f)\n", mb(bz), float64(bj)/float64(bz))
	return ds, nil
}

func listFiles(root string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", root, err)
	}
	sort.Strings(files)
	return files, nil
}

// moduleRoot finds the directory holding go.mod.
func moduleRoot(ctx context.Context) (string, error) {
	outb, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(outb))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("not inside the signwatch module (run from the repository)")
	}
	return filepath.Dir(mod), nil
}

func buildSignwatch(ctx context.Context, dir string) (string, error) {
	root, err := moduleRoot(ctx)
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "signwatch")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/signwatch")
	cmd.Dir = root
	if outb, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/signwatch: %w\n%s", err, outb)
	}
	return bin, nil
}

// buildAt builds ./cmd/signwatch as it is at git revision rev, in a
// temporary worktree that is removed afterwards.
func buildAt(ctx context.Context, dir, rev string) (string, error) {
	root, err := moduleRoot(ctx)
	if err != nil {
		return "", err
	}
	src := filepath.Join(dir, "baseline-src")
	add := exec.CommandContext(ctx, "git", "-C", root, "worktree", "add", "--detach", src, rev)
	if outb, err := add.CombinedOutput(); err != nil {
		return "", fmt.Errorf("-baseline %s: git worktree add: %w\n%s", rev, err, outb)
	}
	defer exec.Command("git", "-C", root, "worktree", "remove", "--force", src).Run()
	bin := filepath.Join(dir, "signwatch-baseline")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/signwatch")
	cmd.Dir = src
	if outb, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("-baseline %s: go build ./cmd/signwatch: %w\n%s", rev, err, outb)
	}
	return bin, nil
}

// warm reads every file once so all measurements start from the page cache.
func warm(ctx context.Context, ds *dataset) error {
	for _, files := range [][]string{ds.plainFiles, ds.gzFiles} {
		for _, chunk := range chunks(files) {
			cmd := exec.CommandContext(ctx, "cat", chunk...)
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("warming the page cache: %w", err)
			}
		}
	}
	return nil
}

// chunks splits a file list so each command line stays well under ARG_MAX.
func chunks(files []string) [][]string {
	const limit = 100_000
	var out [][]string
	start, size := 0, 0
	for i, f := range files {
		if size+len(f)+1 > limit && i > start {
			out = append(out, files[start:i])
			start, size = i, 0
		}
		size += len(f) + 1
	}
	if start < len(files) {
		out = append(out, files[start:])
	}
	return out
}

func printMachine(out io.Writer) {
	fmt.Fprintf(out, "machine: %s/%s, %d CPUs, %s, %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpuModel(), runtime.Version())
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "cpu unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "cpu unknown"
}

func mb(n int64) float64 { return float64(n) / 1e6 }

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ")
}

func tail(b []byte, n int) string {
	s := string(bytes.TrimSpace(b))
	if len(s) > n {
		s = "..." + s[len(s)-n:]
	}
	return s
}
