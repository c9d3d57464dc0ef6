package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/signwatch/signwatch/internal/cwfilter"
	"github.com/signwatch/signwatch/internal/search"
)

func runSearch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("search", stderr)
	var in inputFlags
	in.register(fs)
	pattern := fs.String("pattern", "", "CloudWatch Logs filter pattern, e.g. '{ $.eventName = ConsoleLogin }'")
	format := fs.String("format", "jsonl", "output: jsonl (raw events, unchanged) or table")
	output := fs.String("output", "", "write matches to this file instead of standard output")
	strict := fs.Bool("strict", false, "exit 3 when any input error occurred")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: signwatch search --pattern PATTERN [flags] PATH...")
		fs.PrintDefaults()
	}
	paths, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *pattern == "" {
		return usagef("search: --pattern is required")
	}
	if len(paths) == 0 {
		return usagef("search: no input given")
	}
	if *format != "jsonl" && *format != "table" {
		return usagef("--format %q: use jsonl or table", *format)
	}
	pat, err := cwfilter.Parse(*pattern)
	if err != nil {
		return usagef("--pattern: %v", err)
	}
	so, err := in.sourceOptions()
	if err != nil {
		return err
	}
	var w io.Writer = stdout
	if *output != "" {
		f, err := os.OpenFile(*output, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return usageError{fmt.Errorf("--output: %w", err)}
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	res, err := search.Run(ctx, search.Options{Paths: paths, Source: so, Pattern: pat, Format: *format}, bw, stderr)
	if ferr := bw.Flush(); err == nil && ferr != nil {
		err = ferr
	}
	if err != nil {
		if res != nil && !res.Read {
			return exitError{exitUsage, err}
		}
		return err
	}
	fmt.Fprintf(stderr, "signwatch search: %d events read, %d matched, %d input errors\n", res.Events, res.Matched, res.InputErrors)
	if *strict && res.InputErrors > 0 {
		return exitError{code: exitStrict}
	}
	return nil
}
