package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/signwatch/signwatch/internal/alert"
	"github.com/signwatch/signwatch/internal/summary"
)

var levelColor = map[alert.Level]string{
	alert.Critical: "\x1b[1;31m", alert.High: "\x1b[31m", alert.Medium: "\x1b[33m",
	alert.Low: "\x1b[36m", alert.Informational: "\x1b[2m",
}

const colorReset = "\x1b[0m"

var tableHeader = []string{"TIME", "LEVEL", "RULE", "ACCOUNT", "REGION", "ACTOR", "SOURCE IP", "USER AGENT", "SUMMARY"}

// columnMax bounds the width of each timeline column, in runes.
var columnMax = []int{20, 13, 40, 12, 14, 32, 39, 28, 160}

func writeTable(w io.Writer, alerts []alert.Alert, s *summary.Summary, opt Options) error {
	bw := bufio.NewWriter(w)
	if len(alerts) == 0 {
		fmt.Fprintln(bw, "No detections.")
	} else {
		rows := make([][]string, 0, len(alerts))
		for i := range alerts {
			rows = append(rows, tableRow(&alerts[i]))
		}
		writeAligned(bw, tableHeader, rows, func(row int) string {
			if !opt.Color || row < 0 {
				return ""
			}
			return levelColor[alerts[row].Level()]
		})
	}
	if !opt.NoSummary {
		fmt.Fprintln(bw)
		writeSummary(bw, summaryView(alerts, s), opt.Color)
	}
	return bw.Flush()
}

func tableRow(a *alert.Alert) []string {
	d := NewDetection(a)
	ua := ""
	if a.UserAgent != "" {
		ua = alert.UserAgentSummary(a.UserAgent)
	}
	level := d.Rule.Level
	if a.Drill {
		level += " drill"
	}
	cells := []string{fmtTime(a.FirstSeen), level, d.Rule.Title, d.Account, d.Region,
		shortARN(d.Actor), d.SourceIP, ua, d.Summary}
	for i := range cells {
		cells[i] = alert.Clean(cells[i], columnMax[i])
	}
	if cells[0] == "" {
		cells[0] = "(no time)"
	}
	return cells
}

// shortARN keeps the part of an ARN after its account (user/alice,
// assumed-role/R/session, root).
func shortARN(s string) string {
	if !strings.HasPrefix(s, "arn:") {
		return s
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) == 6 {
		return parts[5]
	}
	return s
}

// writeAligned pads cells to column widths; color(i) is the ANSI color of
// row i, applied to its level cell only, so that padding stays right.
func writeAligned(w io.Writer, header []string, rows [][]string, color func(int) string) {
	widths := make([]int, len(header))
	for i, h := range header {
		widths[i] = utf8.RuneCountInString(h)
	}
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	line := func(cells []string, col string) {
		var b strings.Builder
		for i, c := range cells {
			last := i == len(cells)-1
			pad := ""
			if !last {
				pad = strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2)
			}
			if i == 1 && col != "" {
				b.WriteString(col + c + colorReset + pad)
			} else {
				b.WriteString(c + pad)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	line(header, "")
	for i, r := range rows {
		line(r, color(i))
	}
}

// writeSummary prints the summary sections.
func writeSummary(w io.Writer, v *summary.View, color bool) {
	fmt.Fprintln(w, "Summary")
	writeInput(w, v)
	writeDetectionCounts(w, v)
	writeSignIns(w, v)
	writeRoot(w, v)
	if ic := v.IdentityCenter; ic.Attempts > 0 {
		fmt.Fprintf(w, "  Identity Center sign-in attempts: %d (%d success, %d failure, %d abandoned); %d with MFA, %d reached the console\n",
			ic.Attempts, ic.Outcomes.Success, ic.Outcomes.Failure, ic.Outcomes.Unknown, ic.WithMFA, ic.Console)
	}
	writeTop(w, "Top sign-in", v.SignInTop)
	writeTop(w, "Top failed sign-in", v.FailureTop)
	writeTop(w, "Top (all events)", v.Top)
	writeEntries(w, "Regions", v.Regions, 20)
	writeEntries(w, "Accounts", v.Accounts, 20)
	writeRules(w, v)
	for _, warn := range v.Warnings {
		if color {
			fmt.Fprintf(w, "%sWARNING%s %s\n", levelColor[alert.Medium], colorReset, alert.Clean(warn, 400))
		} else {
			fmt.Fprintf(w, "WARNING %s\n", alert.Clean(warn, 400))
		}
	}
}

func clean120(s string) string { return alert.Clean(s, 120) }

// writeInput prints files, events, problems and the time range.
func writeInput(w io.Writer, v *summary.View) {
	fmt.Fprintf(w, "  Files          %d read, %d skipped\n", v.Files.Read, v.Files.Skipped)
	for _, sk := range v.Files.SkippedFiles {
		fmt.Fprintf(w, "                 skipped %s: %s\n", clean120(sk.Name), clean120(sk.Reason))
	}
	if v.Files.SkippedTruncated {
		fmt.Fprintf(w, "                 (%d more skipped files not listed)\n", v.Files.Skipped-int64(len(v.Files.SkippedFiles)))
	}
	e := v.Events
	fmt.Fprintf(w, "  Events         %d read, %d unique, %d duplicates, %d out of range, %d untimed, %d parse errors\n",
		e.Read, e.Unique, e.Duplicates, e.OutOfRange, e.Untimed, e.ParseErrors)
	for _, p := range e.ErrorPositions {
		fmt.Fprintf(w, "                 %s\n", clean120(p))
	}
	if more := e.ParseErrors - int64(len(e.ErrorPositions)); more > 0 && len(e.ErrorPositions) > 0 {
		fmt.Fprintf(w, "                 (%d more)\n", more)
	}
	if v.TimeRange != nil {
		fmt.Fprintf(w, "  Time range     %s .. %s\n", v.TimeRange.First, v.TimeRange.Last)
	}
}

// writeRules prints the rule set, alarm transitions and throughput.
func writeRules(w io.Writer, v *summary.View) {
	fmt.Fprintf(w, "  Rules          %d loaded (%d detection, %d correlation), %d filters; %d correlation evictions\n",
		v.RulesLoaded, v.Rules.Detection, v.Rules.Correlation, v.Rules.Filter, v.CorrelationEvicts)
	for _, tr := range v.AlarmTransitions {
		fmt.Fprintf(w, "  Alarm          %s %s -> %s at %s: %s\n", clean120(tr.Alarm), clean120(tr.From), clean120(tr.To), tr.Time, clean120(tr.Reason))
	}
	t := v.Throughput
	fmt.Fprintf(w, "  Throughput     %.0f events/s, %.1f MB/s read (%.1f MB/s decoded), %.2f s elapsed, %d bytes read, %d decoded\n",
		t.EventsPerSecond, t.MBPerSecond, t.DecodedMBPerSecond, t.ElapsedSeconds, t.BytesRead, t.DecodedBytes)
}

func writeDetectionCounts(w io.Writer, v *summary.View) {
	parts := []string{}
	for i := len(alert.Levels) - 1; i >= 0; i-- {
		l := string(alert.Levels[i])
		parts = append(parts, fmt.Sprintf("%d %s", v.DetectionsByLevel[l], l))
	}
	if n := v.DetectionsByLevel["unknown"]; n > 0 {
		parts = append(parts, fmt.Sprintf("%d unknown level", n))
	}
	fmt.Fprintf(w, "  Detections     %s\n", strings.Join(parts, ", "))
}

func writeSignIns(w io.Writer, v *summary.View) {
	if len(v.SignIns) == 0 {
		fmt.Fprintln(w, "  Sign-ins       none")
	} else {
		fmt.Fprintln(w, "  Sign-in events by name and outcome")
		rows := make([][]string, 0, len(v.SignIns))
		for _, s := range v.SignIns {
			rows = append(rows, []string{"   ", alert.Clean(s.EventName, 60), itoa(s.Success), itoa(s.Failure), itoa(s.Unknown), itoa(s.Total)})
		}
		writeAligned(w, []string{"   ", "EVENT", "SUCCESS", "FAILURE", "UNKNOWN", "TOTAL"}, rows, func(int) string { return "" })
	}
	if len(v.ConsoleSignIns) > 0 {
		fmt.Fprintln(w, "  Console sign-ins by principal type")
		rows := make([][]string, 0, len(v.ConsoleSignIns))
		for _, c := range v.ConsoleSignIns {
			rows = append(rows, []string{"   ", c.PrincipalType, itoa(c.Success), itoa(c.Failure), itoa(c.Unknown), itoa(c.Total)})
		}
		writeAligned(w, []string{"   ", "PRINCIPAL", "SUCCESS", "FAILURE", "UNKNOWN", "TOTAL"}, rows, func(int) string { return "" })
	}
	if len(v.MFA) == 0 {
		return
	}
	fmt.Fprintln(w, "  MFA on successful console sign-ins by principal type")
	rows := make([][]string, 0, len(v.MFA))
	for _, m := range v.MFA {
		rows = append(rows, []string{"   ", m.PrincipalType, itoa(m.With), itoa(m.Without), itoa(m.IdP), itoa(m.Unknown)})
	}
	writeAligned(w, []string{"   ", "PRINCIPAL", "WITH MFA", "WITHOUT", "SSO/SAML (IdP)", "UNKNOWN"}, rows, func(int) string { return "" })
}

func writeRoot(w io.Writer, v *summary.View) {
	r := v.Root
	fmt.Fprintf(w, "  Root           %d events; console sign-ins: %d success, %d failure, %d unknown\n",
		r.Events, r.SignIns.Success, r.SignIns.Failure, r.SignIns.Unknown)
	if len(r.TopEventNames) > 0 {
		fmt.Fprintf(w, "                 events: %s\n", joinEntries(r.TopEventNames))
	}
}

func writeTop(w io.Writer, title string, t summary.TopView) {
	note := ""
	if t.Approximate {
		note = " (approximate)"
	}
	fmt.Fprintf(w, "  %s%s\n", title, note)
	writeEntries(w, "  source IPs", t.SourceIPs, 0)
	writeEntries(w, "  users", t.Users, 0)
	writeEntries(w, "  user agents", t.UserAgents, 0)
}

// writeEntries prints a ranking: inline when its keys are short, else one
// entry per line (count first) so that long user agents and ARNs stay
// whole and distinguishable. limit > 0 shows at most limit entries.
func writeEntries(w io.Writer, title string, list []summary.Entry, limit int) {
	if len(list) == 0 {
		fmt.Fprintf(w, "  %-14s none\n", title)
		return
	}
	shown := list
	if limit > 0 && len(shown) > limit {
		shown = shown[:limit]
	}
	more := ""
	if len(shown) < len(list) {
		more = fmt.Sprintf(" (+%d more)", len(list)-len(shown))
	}
	long := false
	for _, e := range shown {
		long = long || utf8.RuneCountInString(e.Key) > 40
	}
	if !long {
		fmt.Fprintf(w, "  %-14s %s%s\n", title, joinEntries(shown), more)
		return
	}
	fmt.Fprintf(w, "  %s%s\n", title, more)
	width := len(fmt.Sprint(shown[0].Count))
	for _, e := range shown {
		fmt.Fprintf(w, "                 %*d  %s\n", width, e.Count, alert.Clean(e.Key, 400))
	}
}

func joinEntries(list []summary.Entry) string {
	parts := make([]string, len(list))
	for i, e := range list {
		parts[i] = fmt.Sprintf("%s (%d)", alert.Clean(e.Key, 60), e.Count)
	}
	return strings.Join(parts, ", ")
}

func itoa(n int64) string { return fmt.Sprint(n) }
