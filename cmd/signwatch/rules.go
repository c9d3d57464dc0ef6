package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/signwatch/signwatch/internal/catalogdoc"
	"github.com/signwatch/signwatch/internal/ruleset"
	"github.com/signwatch/signwatch/rules"
)

func runRules(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("rules: say list, validate or test")
	}
	sub, args := args[0], args[1:]
	fs := newFlagSet("rules "+sub, stderr)
	var rf ruleFlags
	fs.StringVar(&rf.placeholders, "placeholders", "", "YAML file `placeholders: {name: [values]}` for |expand")
	fs.StringVar(&rf.configPath, "config", "", "configuration file (field mappings, placeholders)")
	format := fs.String("format", "table", "list output: table or json")
	verbose := fs.Bool("v", false, "test: print every case, not only failures")
	paths, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	// With paths, the command works on those files only; without, on the
	// built-in catalog.
	rf.rules = paths
	rf.noBuiltin = len(paths) > 0
	switch sub {
	case "list":
		_, set, err := rf.load()
		if err != nil {
			return err
		}
		return listRules(stdout, set, *format, !rf.noBuiltin)
	case "validate":
		_, set, err := rf.load()
		if err != nil {
			return exitError{exitAlert, err}
		}
		fmt.Fprintf(stdout, "%d files, %d rules, %d correlations, %d filters: valid\n",
			len(set.Files), len(set.Rules), len(set.Correlations), len(set.Filters))
		return nil
	case "test":
		_, set, err := rf.load()
		if err != nil {
			return exitError{exitAlert, err}
		}
		return testRules(stdout, set, *verbose)
	case "coverage":
		rf.noBuiltin = false // the built-ins and the given paths together
		_, set, err := rf.load()
		if err != nil {
			return err
		}
		return writeCoverage(stdout, set.Coverage(), *format)
	case "docs":
		out, err := catalogdoc.Render(rules.FS, catalogdoc.BuiltinDetectors(), rules.Notes)
		if err != nil {
			return err
		}
		_, err = stdout.Write(out)
		return err
	}
	return usagef("rules: unknown subcommand %q (list, validate, test, docs or coverage)", sub)
}

// ruleRow is one line of `rules list`.
type ruleRow struct {
	ID    string   `json:"id"`
	Title string   `json:"title"`
	Level string   `json:"level"`
	Kind  string   `json:"kind"`
	Tags  []string `json:"tags"`
	File  string   `json:"file"`
	Line  int      `json:"line"`
}

func ruleRows(set *ruleset.Set) []ruleRow {
	var rows []ruleRow
	for _, r := range set.Rules {
		rows = append(rows, ruleRow{r.ID, r.Title, r.Level, "single", r.Tags, r.File, r.Line})
	}
	for _, c := range set.Correlations {
		rows = append(rows, ruleRow{c.ID, c.Title, c.Level, c.Type, c.Tags, c.File, c.Line})
	}
	for _, f := range set.Filters {
		rows = append(rows, ruleRow{f.ID, f.Title, "", "filter", f.Tags, f.File, f.Line})
	}
	for i := range rows {
		if rows[i].Tags == nil {
			rows[i].Tags = []string{}
		}
	}
	return rows
}

func listRules(w io.Writer, set *ruleset.Set, format string, builtin bool) error {
	rows := ruleRows(set)
	if builtin {
		for _, d := range catalogdoc.BuiltinDetectors() {
			rows = append(rows, ruleRow{ID: d.ID, Title: d.Title, Level: d.Level, Kind: "baseline", Tags: d.Tags, File: "built-in detector"})
		}
	}
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	case "table":
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tLEVEL\tKIND\tTITLE\tTAGS")
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Level, r.Kind, r.Title, strings.Join(r.Tags, ","))
		}
		return tw.Flush()
	}
	return usagef("rules list --format %q: use table or json", format)
}

func testRules(w io.Writer, set *ruleset.Set, verbose bool) error {
	results := set.RunTests()
	passed, failed := 0, 0
	for _, r := range results {
		status := "PASS"
		if r.Passed() {
			passed++
		} else {
			failed++
			status = "FAIL"
		}
		if verbose || !r.Passed() {
			want := "match"
			if !r.Case.Expect {
				want = "no match"
			}
			if r.Case.Count > 0 {
				want = fmt.Sprintf("%d detections", r.Case.Count)
			}
			line := fmt.Sprintf("%s %s:%d %s / %s: want %s, got %d detections", status, r.Suite.File, r.Case.Line, r.Suite.Rule, r.Case.Name, want, r.Got)
			if r.Err != nil {
				line += ": " + r.Err.Error()
			}
			fmt.Fprintln(w, line)
		}
	}
	fmt.Fprintf(w, "rules: %d passed, %d failed\n", passed, failed)
	if len(results) == 0 {
		return exitError{exitAlert, fmt.Errorf("rules test: the rules carry no test cases")}
	}
	if failed > 0 {
		return exitError{code: exitAlert}
	}
	return nil
}

func writeCoverage(w io.Writer, cov []ruleset.EventCoverage, format string) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(cov)
	}
	for _, ec := range cov {
		fmt.Fprintf(w, "%s: %d rules, %d correlations\n", ec.EventName, len(ec.Rules), len(ec.Correlations))
		if len(ec.Rules) == 0 {
			fmt.Fprintln(w, "    (no loaded rule references this event)")
			continue
		}
		for _, c := range ec.Checks {
			field := c.Field
			if len(c.Modifiers) > 0 {
				field += "|" + strings.Join(c.Modifiers, "|")
			}
			if field == "" {
				field = "(keyword)"
			}
			fmt.Fprintf(w, "    %-55s %-40s %d rules\n", field, c.Value, c.Rules)
		}
		for _, r := range ec.Rules {
			fmt.Fprintf(w, "    rule        %-8s %s  (%s)\n", r.Level, r.Title, r.File)
		}
		for _, r := range ec.Correlations {
			fmt.Fprintf(w, "    correlation %-8s %s  (%s)\n", r.Level, r.Title, r.File)
		}
	}
	return nil
}
