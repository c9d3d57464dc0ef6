package report

import (
	"fmt"
	"html/template"
	"io"
	"time"

	"github.com/signwatch/signwatch/internal/alert"
	"github.com/signwatch/signwatch/internal/summary"
)

// WriteHTML writes a self-contained HTML report (SPEC 7 --html): summary,
// a chart of console sign-ins over time by outcome, the rankings and the
// timeline. It needs no network and no script: styles are inline and the
// chart is SVG. Every value goes through html/template escaping, so
// attacker-chosen user agents and names cannot inject markup.
func WriteHTML(w io.Writer, alerts []alert.Alert, s *summary.Summary) error {
	if s == nil {
		s = summary.New()
	}
	sorted := Sorted(alerts)
	data := htmlData{View: summaryView(sorted, s), Chart: newChart(s.SignInsOverTime())}
	for i := len(alert.Levels) - 1; i >= 0; i-- {
		l := string(alert.Levels[i])
		data.Levels = append(data.Levels, levelCount{l, data.View.DetectionsByLevel[l]})
	}
	if n := data.View.DetectionsByLevel["unknown"]; n > 0 {
		data.Levels = append(data.Levels, levelCount{"unknown", n})
	}
	for i := range sorted {
		d := NewDetection(&sorted[i])
		ua := ""
		if d.UserAgent != "" {
			ua = alert.UserAgentSummary(d.UserAgent)
		}
		data.Rows = append(data.Rows, htmlRow{Detection: d, Time: fmtTime(sorted[i].FirstSeen),
			Class: levelClass(sorted[i].Level()), Actor: alert.Clean(shortARN(d.Actor), 120), UA: ua,
			UAFull: alert.Clean(d.UserAgent, 1000)})
	}
	if err := htmlTemplate.Execute(w, data); err != nil {
		return fmt.Errorf("report: write html: %w", err)
	}
	return nil
}

type htmlData struct {
	View   *summary.View
	Chart  chart
	Rows   []htmlRow
	Levels []levelCount // most severe first
}

type htmlRow struct {
	Detection
	Time, Class, Actor, UA string
	UAFull                 string // control characters replaced
}

func levelClass(l alert.Level) string {
	if l.Rank() == 0 {
		return "unknown"
	}
	return string(l)
}

// chart is the SVG stacked bar chart of sign-ins over time.
type chart struct {
	Bars         []bar
	Width        int
	Height       int
	Max          int64
	Step         string
	First, Last  string
	Empty        bool
	SuccessTotal int64
	FailureTotal int64
}

type bar struct {
	X, W                   float64
	YS, HS, YF, HF, YU, HU float64
	Label                  string
}

// chartSteps are the bucket sizes, smallest first; the first that gives at
// most maxBars bars is used.
var chartSteps = []time.Duration{time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	24 * time.Hour, 2 * 24 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour, 30 * 24 * time.Hour,
	91 * 24 * time.Hour, 365 * 24 * time.Hour}

const maxBars = 120

func newChart(hours []summary.TimeBucket) chart {
	c := chart{Width: 960, Height: 180}
	if len(hours) == 0 {
		c.Empty = true
		return c
	}
	first, last := hours[0].Start, hours[len(hours)-1].Start
	step := chartSteps[len(chartSteps)-1]
	for _, st := range chartSteps {
		if int(last.Sub(first)/st)+1 <= maxBars {
			step = st
			break
		}
	}
	n := int(last.Sub(first)/step) + 1
	buckets := make([]summary.Outcomes, n)
	for _, h := range hours {
		i := int(h.Start.Sub(first) / step)
		buckets[i].Success += h.Success
		buckets[i].Failure += h.Failure
		buckets[i].Unknown += h.Unknown
		c.SuccessTotal += h.Success
		c.FailureTotal += h.Failure
	}
	for _, b := range buckets {
		c.Max = max(c.Max, b.Total())
	}
	w := float64(c.Width) / float64(n)
	scale := float64(c.Height) / float64(c.Max)
	for i, b := range buckets {
		start := first.Add(time.Duration(i) * step)
		x := bar{X: float64(i) * w, W: max(w-1, 1),
			Label: fmt.Sprintf("%s: %d success, %d failure, %d unknown", start.Format(time.RFC3339), b.Success, b.Failure, b.Unknown)}
		y := float64(c.Height)
		x.HS, x.HF, x.HU = float64(b.Success)*scale, float64(b.Failure)*scale, float64(b.Unknown)*scale
		x.YS = y - x.HS
		x.YF = x.YS - x.HF
		x.YU = x.YF - x.HU
		c.Bars = append(c.Bars, x)
	}
	c.Step = alert.Span(step)
	c.First, c.Last = first.Format(time.RFC3339), last.Add(step).Format(time.RFC3339)
	return c
}

type entries struct {
	Title string
	List  []summary.Entry
}

type levelCount struct {
	Level string
	Count int
}

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"pair": func(title string, list []summary.Entry) entries { return entries{title, list} },
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>signwatch scan report</title>
<style>
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px;color:#1b1f23;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
table{border-collapse:collapse;margin:4px 0 12px}th,td{padding:3px 10px 3px 0;text-align:left;vertical-align:top}
th{font-weight:600;color:#555;border-bottom:1px solid #ddd}td.n,th.n{text-align:right}
.timeline td{border-bottom:1px solid #f0f0f0;max-width:420px;overflow-wrap:anywhere}
.lv{font-weight:600;padding:1px 6px;border-radius:3px;color:#fff}
.critical{background:#8b0000}.high{background:#d73a49}.medium{background:#e36209}.low{background:#0366d6}.informational,.unknown{background:#6a737d}
.warn{background:#fff5b1;border:1px solid #e3c600;padding:6px 10px;margin:6px 0}
.muted{color:#6a737d}.grid{display:flex;flex-wrap:wrap;gap:32px}
svg rect.s{fill:#28a745}svg rect.f{fill:#d73a49}svg rect.u{fill:#959da5}
code{font-size:12px}
</style></head><body>
<h1>signwatch scan report</h1>
{{with .View}}<p class="muted">{{if .TimeRange}}Events from {{.TimeRange.First}} to {{.TimeRange.Last}}. {{end}}{{.Events.Unique}} unique events in {{.Files.Read}} files; {{.RulesLoaded}} rules.</p>
{{range .Warnings}}<div class="warn">Warning: {{.}}</div>{{end}}
<h2>Detections</h2>
{{end}}<p>{{range .Levels}}<span class="lv {{.Level}}">{{.Level}}</span> {{.Count}} &nbsp; {{end}}</p>
{{if .Rows}}<table class="timeline"><tr><th>Time</th><th>Level</th><th>Rule</th><th>Account</th><th>Region</th><th>Actor</th><th>Source IP</th><th>User agent</th><th>Summary</th></tr>
{{range .Rows}}<tr><td>{{if .Time}}{{.Time}}{{else}}(no time){{end}}</td><td><span class="lv {{.Class}}">{{.Rule.Level}}</span>{{if .Drill}} drill{{end}}</td><td title="{{.Rule.ID}}">{{.Rule.Title}}</td><td>{{.Account}}</td><td>{{.Region}}</td><td>{{.Actor}}</td><td>{{.SourceIP}}</td><td title="{{.UAFull}}">{{.UA}}</td><td>{{.Summary}}{{if gt .Count 1}} <span class="muted">({{.Count}} events)</span>{{end}}</td></tr>
{{end}}</table>{{else}}<p>No detections.</p>{{end}}
<h2>Console sign-ins over time</h2>
{{with .Chart}}{{if .Empty}}<p>No console sign-ins.</p>{{else}}
<svg width="{{.Width}}" height="{{.Height}}" viewBox="0 0 {{.Width}} {{.Height}}" role="img" aria-label="console sign-ins by outcome over time">
{{range .Bars}}<g><title>{{.Label}}</title><rect class="s" x="{{.X}}" y="{{.YS}}" width="{{.W}}" height="{{.HS}}"/><rect class="f" x="{{.X}}" y="{{.YF}}" width="{{.W}}" height="{{.HF}}"/><rect class="u" x="{{.X}}" y="{{.YU}}" width="{{.W}}" height="{{.HU}}"/></g>
{{end}}</svg>
<p class="muted">{{.First}} to {{.Last}}, one bar per {{.Step}}, highest bar {{.Max}}. <span style="color:#28a745">■</span> success ({{.SuccessTotal}}) <span style="color:#d73a49">■</span> failure ({{.FailureTotal}}) <span style="color:#959da5">■</span> unknown</p>{{end}}{{end}}
{{with .View}}
<h2>Sign-in events</h2>
{{if .SignIns}}<table><tr><th>Event</th><th class="n">Success</th><th class="n">Failure</th><th class="n">Unknown</th><th class="n">Total</th></tr>
{{range .SignIns}}<tr><td>{{.EventName}}</td><td class="n">{{.Success}}</td><td class="n">{{.Failure}}</td><td class="n">{{.Unknown}}</td><td class="n">{{.Total}}</td></tr>{{end}}</table>{{else}}<p>None.</p>{{end}}
{{if .ConsoleSignIns}}<h2>Console sign-ins by principal type</h2>
<table><tr><th>Principal type</th><th class="n">Success</th><th class="n">Failure</th><th class="n">Unknown</th><th class="n">Total</th></tr>
{{range .ConsoleSignIns}}<tr><td>{{.PrincipalType}}</td><td class="n">{{.Success}}</td><td class="n">{{.Failure}}</td><td class="n">{{.Unknown}}</td><td class="n">{{.Total}}</td></tr>{{end}}</table>{{end}}
{{if .MFA}}<h2>MFA on successful console sign-ins</h2>
<table><tr><th>Principal type</th><th class="n">With MFA</th><th class="n">Without</th><th class="n">SSO/SAML (MFA at the IdP)</th><th class="n">Unknown</th></tr>
{{range .MFA}}<tr><td>{{.PrincipalType}}</td><td class="n">{{.With}}</td><td class="n">{{.Without}}</td><td class="n">{{.IdP}}</td><td class="n">{{.Unknown}}</td></tr>{{end}}</table>{{end}}
<h2>Root user</h2>
<p>{{.Root.Events}} events by root; console sign-ins: {{.Root.SignIns.Success}} success, {{.Root.SignIns.Failure}} failure, {{.Root.SignIns.Unknown}} unknown.</p>
{{if .IdentityCenter.Attempts}}<h2>IAM Identity Center sign-ins</h2>
<p>{{.IdentityCenter.Attempts}} attempts: {{.IdentityCenter.Outcomes.Success}} success, {{.IdentityCenter.Outcomes.Failure}} failure, {{.IdentityCenter.Outcomes.Unknown}} abandoned; {{.IdentityCenter.WithMFA}} with MFA; {{.IdentityCenter.Console}} reached the console.</p>{{end}}
<h2>Top sign-in sources{{if .SignInTop.Approximate}} (approximate){{end}}</h2>
<div class="grid">
{{template "entries" (pair "Source IPs" .SignInTop.SourceIPs)}}
{{template "entries" (pair "Users" .SignInTop.Users)}}
{{template "entries" (pair "User agents" .SignInTop.UserAgents)}}
</div>
<h2>Top failed sign-in sources{{if .FailureTop.Approximate}} (approximate){{end}}</h2>
<div class="grid">
{{template "entries" (pair "Source IPs" .FailureTop.SourceIPs)}}
{{template "entries" (pair "Users" .FailureTop.Users)}}
{{template "entries" (pair "User agents" .FailureTop.UserAgents)}}
</div>
<h2>Top over all events{{if .Top.Approximate}} (approximate){{end}}</h2>
<div class="grid">
{{template "entries" (pair "Source IPs" .Top.SourceIPs)}}
{{template "entries" (pair "Users" .Top.Users)}}
{{template "entries" (pair "User agents" .Top.UserAgents)}}
</div>
<h2>Regions and accounts</h2>
<div class="grid">
{{template "entries" (pair "Regions" .Regions)}}
{{template "entries" (pair "Accounts" .Accounts)}}
</div>
<h2>Input</h2>
<table>
<tr><td>Files</td><td>{{.Files.Read}} read, {{.Files.Skipped}} skipped</td></tr>
<tr><td>Events</td><td>{{.Events.Read}} read, {{.Events.Unique}} unique, {{.Events.Duplicates}} duplicates, {{.Events.OutOfRange}} out of range, {{.Events.Untimed}} untimed</td></tr>
<tr><td>Input problems</td><td>{{.Events.ParseErrors}}{{range .Events.ErrorPositions}}<br><code>{{.}}</code>{{end}}</td></tr>
<tr><td>Throughput</td><td>{{printf "%.0f" .Throughput.EventsPerSecond}} events/s, {{printf "%.1f" .Throughput.MBPerSecond}} MB/s, {{printf "%.2f" .Throughput.ElapsedSeconds}} s</td></tr>
</table>
{{if .Files.SkippedFiles}}<details><summary>Skipped files</summary><table>{{range .Files.SkippedFiles}}<tr><td><code>{{.Name}}</code></td><td>{{.Reason}}</td></tr>{{end}}</table></details>{{end}}
{{end}}
</body></html>
{{define "entries"}}<div><h3 style="font-size:14px;margin:4px 0">{{.Title}}</h3>{{if .List}}<table>{{range .List}}<tr><td style="max-width:360px;overflow-wrap:anywhere">{{.Key}}</td><td class="n">{{.Count}}</td></tr>{{end}}</table>{{else}}<p class="muted">none</p>{{end}}</div>{{end}}
`))
