// Package search selects raw CloudTrail events with a CloudWatch Logs filter
// pattern, over every input the scan command reads.
package search

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/signwatch/signwatch/internal/cwfilter"
	"github.com/signwatch/signwatch/internal/decode"
	"github.com/signwatch/signwatch/internal/event"
	"github.com/signwatch/signwatch/internal/source"
)

// Options configures a search.
type Options struct {
	Paths   []string
	Source  source.Options
	Decode  decode.Options
	Pattern *cwfilter.Pattern
	Format  string // jsonl (raw events, unchanged) or table
}

// Result counts what a search read.
type Result struct {
	Events, Matched, InputErrors int
	Read                         bool
}

// ErrNoInput is returned when no input could be read at all.
var ErrNoInput = errors.New("no input could be read")

// Run writes every matching event to w in input order, each event once (by
// eventID, as CloudWatch Logs holds each event once); problems go to errw.
func Run(ctx context.Context, opt Options, w io.Writer, errw io.Writer) (*Result, error) {
	opt.Decode.NoRecordLines = true // matches are written whole, without positions
	res := &Result{}
	seen := map[string]struct{}{}
	lits := opt.Pattern.Literals()
	var doc event.Doc
	var tw *tabwriter.Writer
	if opt.Format == "table" {
		tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "TIME\tACCOUNT\tREGION\tEVENT\tACTOR\tSOURCE IP\tRESULT")
	}
	var werr error
	emit := func(rec decode.Record) error {
		res.Events++
		if !mayContain(rec.Raw, lits) {
			return nil
		}
		var root event.Value
		if rec.Doc != nil {
			root = rec.Doc.Root()
		} else {
			if err := doc.Parse(rec.Raw); err != nil {
				return fmt.Errorf("re-parse of a validated event: %w", err)
			}
			root = doc.Root()
		}
		if !opt.Pattern.Match(root, rec.Raw) {
			return nil
		}
		if id := root.Get("eventID").Str(); id != "" {
			if _, dup := seen[id]; dup {
				return nil
			}
			seen[id] = struct{}{}
		}
		res.Matched++
		if tw != nil {
			werr = writeRow(tw, root)
		} else {
			// Never append to rec.Raw: it aliases the decoder's buffer.
			if _, werr = w.Write(rec.Raw); werr == nil {
				_, werr = w.Write([]byte{'\n'})
			}
		}
		return werr
	}
	problem := func(p decode.Problem) {
		res.InputErrors++
		fmt.Fprintln(errw, "signwatch: input error:", p.Error())
	}
	err := source.Walk(ctx, opt.Paths, opt.Source, func(in source.Input) error {
		rc, err := in.Open(ctx)
		if err != nil {
			res.InputErrors++
			fmt.Fprintf(errw, "signwatch: %s: %v\n", in.Name, err)
			return nil
		}
		defer rc.Close()
		_, err = decode.Decode(ctx, in.Name, rc, opt.Decode, emit, problem)
		if werr != nil {
			return werr
		}
		if err != nil {
			res.InputErrors++
			fmt.Fprintf(errw, "signwatch: %s: %v\n", in.Name, err)
			return nil
		}
		res.Read = true
		return nil
	}, func(s source.Skipped) {
		fmt.Fprintf(errw, "signwatch: skipped %s: %s\n", s.Name, s.Reason)
	})
	if tw != nil {
		if ferr := tw.Flush(); err == nil {
			err = ferr
		}
	}
	if err != nil {
		return res, err
	}
	if !res.Read {
		return res, ErrNoInput
	}
	return res, nil
}

// mayContain is the prefilter: an event can only match when it holds one of
// the pattern's literals (nil literals: cannot tell, so it may).
func mayContain(raw []byte, lits [][]byte) bool {
	if lits == nil {
		return true
	}
	for _, l := range lits {
		if containsFold(raw, l) {
			return true
		}
	}
	return false
}

func writeRow(w io.Writer, root event.Value) error {
	t, _ := event.EventTime(root)
	result := root.Get("errorCode").Str()
	if r := root.Path("responseElements", "ConsoleLogin").Str(); r != "" {
		result = r
	}
	actor := root.Path("userIdentity", "arn").Str()
	if actor == "" {
		actor = root.Path("userIdentity", "userName").Str()
	}
	_, err := fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.UTC().Format("2006-01-02T15:04:05Z"),
		clean(root.Get("recipientAccountId").Str()), clean(root.Get("awsRegion").Str()), clean(root.Get("eventName").Str()),
		clean(actor), clean(root.Get("sourceIPAddress").Str()), clean(result))
	return err
}
