// Command signwatch watches AWS sign-in activity in CloudTrail and raises the
// alarm on what attackers do at the front door of an AWS account.
//
// Usage:
//
//	signwatch scan [flags] PATH...       scan CloudTrail logs: timeline of detections and a summary
//	signwatch search --pattern P PATH... print the raw events a CloudWatch filter pattern matches
//	signwatch rules list|validate|test   work on rule files
//	signwatch drill [--emit FILE]        fire drill: every detection's attacks and look-alikes
//	signwatch version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes (SPEC 7).
const (
	exitOK       = 0
	exitAlert    = 1 // --fail-on LEVEL and an alert at or above it fired; rules test/validate failures
	exitUsage    = 2 // usage errors, or no input could be read at all
	exitStrict   = 3 // --strict and an input error occurred
	exitInternal = 4 // an unexpected internal error
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// usageError marks errors that exit with status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// exitError carries a specific exit status.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

type command struct {
	name  string
	brief string
	run   func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"scan", "scan CloudTrail logs and print a timeline of detections and a summary", runScan},
		{"search", "print the raw events a CloudWatch Logs filter pattern matches", runSearch},
		{"rules", "list, validate, test or document rules (list|validate|test|docs|coverage)", runRules},
		{"drill", "replay every built-in detection's attack and look-alike events through the engine", runDrill},
		{"version", "print the version", func(_ context.Context, _ []string, stdout, _ io.Writer) error {
			fmt.Fprintln(stdout, "signwatch", version)
			return nil
		}},
	}
}

func main() {
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	cancel()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		return exitCode(err, stderr)
	}
	fmt.Fprintf(stderr, "signwatch: unknown command %q\n\n", args[0])
	printUsage(stderr)
	return exitUsage
}

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var ee exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "signwatch:", ee.err)
		}
		return ee.code
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	fmt.Fprintln(stderr, "signwatch:", err)
	var ue usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitInternal
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "signwatch — detect attacks on AWS sign-in in CloudTrail logs")
	fmt.Fprintln(w, "\nUsage: signwatch COMMAND [flags] [args]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.brief)
	}
	fmt.Fprintln(w, "\nRun 'signwatch COMMAND -h' for the flags of a command.")
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("signwatch "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags parses args, allowing flags after positional arguments
// (signwatch scan DIR --format json), and turns errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
		if rest[0] == "--" {
			pos = append(pos[:len(pos)-1], args...)
			return pos, nil
		}
	}
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return fmt.Sprint(*s) }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }
