package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/signwatch/signwatch/internal/alert"
	"github.com/signwatch/signwatch/internal/config"
	"github.com/signwatch/signwatch/internal/geo"
	"github.com/signwatch/signwatch/internal/report"
	"github.com/signwatch/signwatch/internal/ruleset"
	"github.com/signwatch/signwatch/internal/scan"
	"github.com/signwatch/signwatch/internal/source"
	"github.com/signwatch/signwatch/rules"
)

// inputFlags are the flags shared by every command that reads CloudTrail.
type inputFlags struct {
	since, until string
	accounts     stringList
	s3Endpoint   string
	s3Region     string
	workers      int
}

func (f *inputFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.since, "since", "", "only events at or after this time (RFC 3339 or YYYY-MM-DD)")
	fs.StringVar(&f.until, "until", "", "only events before this time (RFC 3339 or YYYY-MM-DD)")
	fs.Var(&f.accounts, "account", "only this AWS account id (repeatable, or comma-separated)")
	fs.StringVar(&f.s3Endpoint, "s3-endpoint", "", "S3 endpoint override for s3:// inputs (path-style)")
	fs.StringVar(&f.s3Region, "s3-region", "", "AWS region for s3:// inputs (default: from the AWS config)")
	fs.IntVar(&f.workers, "workers", 0, "decoding workers (default: number of CPUs)")
}

func (f *inputFlags) sourceOptions() (source.Options, error) {
	var o source.Options
	var err error
	if o.Since, err = parseTime(f.since); err != nil {
		return o, usagef("--since: %v", err)
	}
	if o.Until, err = parseTime(f.until); err != nil {
		return o, usagef("--until: %v", err)
	}
	if !o.Since.IsZero() && !o.Until.IsZero() && !o.Since.Before(o.Until) {
		return o, usagef("--since must be before --until")
	}
	for _, a := range f.accounts {
		for _, p := range strings.Split(a, ",") {
			if p = strings.TrimSpace(p); p != "" {
				if len(p) != 12 || strings.Trim(p, "0123456789") != "" {
					return o, usagef("--account %q: an AWS account id is 12 digits", p)
				}
				o.Accounts = append(o.Accounts, p)
			}
		}
	}
	o.S3Endpoint, o.S3Region = f.s3Endpoint, f.s3Region
	o.Stdin = os.Stdin
	return o, nil
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read %q as a time (use RFC 3339, e.g. 2024-05-01T12:00:00Z, or 2024-05-01)", s)
}

// ruleFlags are the flags that choose and configure rules.
type ruleFlags struct {
	rules        stringList
	noBuiltin    bool
	placeholders string
	configPath   string
	skipTests    bool // the command has no use for the tests rule files carry
}

func (f *ruleFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.rules, "rules", "rule file or directory, added to the built-ins (repeatable)")
	fs.BoolVar(&f.noBuiltin, "no-builtin", false, "do not load the built-in detection catalog")
	fs.StringVar(&f.placeholders, "placeholders", "", "YAML file `placeholders: {name: [values]}` for |expand")
	fs.StringVar(&f.configPath, "config", "", "configuration file (tuning, field mappings, placeholders, alarms)")
}

// load reads the config and the rules.
func (f *ruleFlags) load() (*config.Config, *ruleset.Set, error) {
	cfg := &config.Config{}
	if f.configPath != "" {
		c, err := config.Load(f.configPath)
		if err != nil {
			return nil, nil, usageError{err}
		}
		cfg = c
	}
	ph := cfg.Placeholders
	if f.placeholders != "" {
		p, err := config.LoadPlaceholders(f.placeholders)
		if err != nil {
			return nil, nil, usageError{err}
		}
		ph = mergePlaceholders(ph, p)
	}
	opt := ruleset.Options{
		Paths:         f.rules,
		Placeholders:  ph,
		FieldMappings: cfg.FieldMappings,
		EnrichFields:  geo.Fields(),
		Correlation:   cfg.Correlation,
		Tuning:        cfg.Tuning,
		SkipTests:     f.skipTests,
	}
	if f.noBuiltin {
		opt.BuiltinOmitted = rules.FS // the configuration's tuning of it does not apply
	} else {
		opt.Builtin = rules.FS
	}
	set, err := ruleset.Load(opt)
	if err != nil {
		return nil, nil, usageError{fmt.Errorf("rules:\n%w", err)}
	}
	return cfg, set, nil
}

func mergePlaceholders(a, b map[string][]string) map[string][]string {
	out := make(map[string][]string, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func runScan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("scan", stderr)
	var in inputFlags
	var rf ruleFlags
	in.register(fs)
	rf.register(fs)
	format := fs.String("format", "table", "output format: table, csv, jsonl or json")
	output := fs.String("output", "", "write the report to this file instead of standard output")
	htmlOut := fs.String("html", "", "also write a self-contained HTML report (summary, charts, timeline) to this file")
	minLevel := fs.String("min-level", "", "drop alerts below this level (informational, low, medium, high, critical)")
	failOn := fs.String("fail-on", "", "exit 1 when an alert at or above this level fired")
	strict := fs.Bool("strict", false, "exit 3 when any input error occurred")
	noProgress := fs.Bool("no-progress", false, "no progress bar, even on a terminal")
	cpuProfile := fs.String("cpuprofile", "", "write a Go CPU profile of the scan to this file (for performance work)")
	memProfile := fs.String("memprofile", "", "write a Go heap profile, taken when the scan ends, to this file (for performance work)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: signwatch scan [flags] PATH...   (files, directories, - for stdin, s3://bucket/prefix)")
		fs.PrintDefaults()
	}
	paths, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return usagef("scan: no input given (a file, a directory, - for stdin, or s3://bucket/prefix)")
	}
	if !report.ValidFormat(*format) {
		return usagef("--format %q: use table, csv, jsonl or json", *format)
	}
	min, fail, err := parseLevels(*minLevel, *failOn)
	if err != nil {
		return err
	}
	so, err := in.sourceOptions()
	if err != nil {
		return err
	}
	// The memory budget (and the collector's pace under it) applies from
	// the start: loading the rules is a tenth of a short scan, and under
	// Go's default pace it was collected several times over.
	budget := newMemoryBudget()
	rf.skipTests = true
	cfg, set, err := rf.load()
	if err != nil {
		return err
	}
	opt := scan.Options{Paths: paths, Source: so, Rules: set, MinLevel: min, Workers: in.workers}
	if cfg.HasAlarms() {
		opt.Alarms = &cfg.CloudWatch
	}
	if !rf.noBuiltin {
		opt.NewCountry = &cfg.Baselines.NewCountry
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return usageError{err}
		}
		defer stop()
	}
	bar := newProgressBar(stderr, *noProgress)
	opt.Progress = func(p scan.Progress) {
		budget.update(p.Events)
		bar.update(p)
	}
	res, err := scan.Run(ctx, opt)
	bar.done()
	if *memProfile != "" {
		if err := writeHeapProfile(*memProfile); err != nil {
			return err
		}
	}
	if errors.Is(err, scan.ErrNoInput) {
		if res != nil {
			writeSkipped(stderr, res)
		}
		return exitError{exitUsage, err}
	}
	if err != nil {
		return err
	}
	if err := writeReport(stdout, *output, *format, res, isTerminal(stdout) && *output == ""); err != nil {
		return err
	}
	if *htmlOut != "" {
		if err := writeHTML(*htmlOut, res); err != nil {
			return err
		}
	}
	return scanExit(res, fail, *strict)
}

func writeSkipped(w io.Writer, res *scan.Result) {
	for _, s := range res.Summary.Skipped() {
		fmt.Fprintf(w, "signwatch: skipped %s: %s\n", s.Name, s.Reason)
	}
}

func parseLevels(minLevel, failOn string) (alert.Level, alert.Level, error) {
	var min, fail alert.Level
	var err error
	if minLevel != "" {
		if min, err = alert.ParseLevel(minLevel); err != nil {
			return "", "", usagef("--min-level: %v", err)
		}
	}
	if failOn != "" {
		if fail, err = alert.ParseLevel(failOn); err != nil {
			return "", "", usagef("--fail-on: %v", err)
		}
	}
	return min, fail, nil
}

func writeReport(stdout io.Writer, path, format string, res *scan.Result, color bool) (err error) {
	w := stdout
	if path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return usageError{fmt.Errorf("--output: %w", err)}
		}
		defer func() {
			if cerr := f.Close(); err == nil && cerr != nil {
				err = fmt.Errorf("--output: %w", cerr)
			}
		}()
		w = f
	}
	return report.Write(w, format, res.Alerts, res.Summary, report.Options{Color: color})
}

func startCPUProfile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// writeHeapProfile writes the live heap as the scan ends (after a garbage
// collection, so the profile shows what is still held).
func writeHeapProfile(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return usageError{fmt.Errorf("--memprofile: %w", err)}
	}
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return fmt.Errorf("--memprofile: %w", err)
	}
	return f.Close()
}

func writeHTML(path string, res *scan.Result) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return usageError{fmt.Errorf("--html: %w", err)}
	}
	err = report.WriteHTML(f, res.Alerts, res.Summary)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("--html: %w", err)
	}
	return nil
}

// scanExit maps a completed scan to its exit status (SPEC 7).
func scanExit(res *scan.Result, failOn alert.Level, strict bool) error {
	if failOn != "" {
		for _, a := range res.Alerts {
			if alert.Level(a.Rule.Level).Rank() >= failOn.Rank() {
				return exitError{code: exitAlert}
			}
		}
	}
	if strict && res.InputErrors > 0 {
		return exitError{exitStrict, fmt.Errorf("--strict: %d input errors", res.InputErrors)}
	}
	return nil
}
