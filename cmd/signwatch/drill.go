package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/signwatch/signwatch/internal/drill"
)

func runDrill(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("drill", stderr)
	var rf ruleFlags
	rf.register(fs)
	emit := fs.String("emit", "", "also write the marked drill events to FILE as a CloudTrail S3 object (.json.gz)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: signwatch drill [--emit FILE] [--rules PATH]...")
		fmt.Fprintf(stderr, "Drill events carry the eventID prefix %q and the user agent suffix %q.\n", drill.EventIDPrefix, drill.UserAgentSuffix)
		fs.PrintDefaults()
	}
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	_, set, err := rf.load()
	if err != nil {
		return err
	}
	results := drill.Run(set)
	failed := 0
	for _, r := range results {
		status := "ok  "
		if !r.OK() {
			status = "FAIL"
			failed++
		}
		fmt.Fprintf(stdout, "%s %-13s %-50s %d/%d attacks detected, %d/%d look-alikes quiet\n",
			status, r.Level, r.Title, r.Fired, r.Attacks, r.Quiet, r.LookAlikes)
		for _, f := range r.Failures {
			fmt.Fprintf(stdout, "       %s\n", f)
		}
	}
	if *emit != "" {
		f, err := os.OpenFile(*emit, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return usageError{fmt.Errorf("--emit: %w", err)}
		}
		n, err := drill.Emit(f, set, time.Now().UTC())
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("--emit: %w", err)
		}
		fmt.Fprintf(stderr, "signwatch drill: wrote %d marked events to %s\n", n, *emit)
	}
	fmt.Fprintf(stdout, "drill: %d passed, %d failed\n", len(results)-failed, failed)
	if failed > 0 || len(results) == 0 {
		return exitError{code: exitAlert}
	}
	return nil
}
