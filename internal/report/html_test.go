package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/signwatch/signwatch/internal/alert"
	"github.com/signwatch/signwatch/internal/summary"
)

func TestHTMLReport(t *testing.T) {
	alerts := testAlerts()
	alerts[0].UserAgent = `<script>alert(1)</script>`
	alerts[0].Actor = `"><img src=x onerror=alert(1)>`
	alerts[1].UserAgent = "tool/1.0 \x1b[2J\x07"
	var b bytes.Buffer
	if err := WriteHTML(&b, alerts, testSummary(t)); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{"<script", "<img", "http://", "https://", "\x1b", "\x07"} {
		if strings.Contains(out, bad) {
			t.Errorf("report contains %q (unescaped input or an external resource)", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;", "<svg", "5 failed root console sign-ins from 198.51.100.7 to 123456789012 in 4 min",
		"<td>ConsoleLogin</td>", "LICENSE", "Warning: the input has no events from us-east-2"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if i, j := strings.Index(out, ">critical<"), strings.Index(out, ">informational<"); i < 0 || j < i {
		t.Error("levels not listed most severe first")
	}
	var viaWrite bytes.Buffer
	if err := Write(&viaWrite, "html", alerts, testSummary(t), Options{}); err != nil || viaWrite.String() != out {
		t.Errorf("Write html differs from WriteHTML (%v)", err)
	}
}

func TestChartBuckets(t *testing.T) {
	h := func(hour int, s, f int64) summary.TimeBucket {
		return summary.TimeBucket{Start: t0.Truncate(time.Hour).Add(time.Duration(hour) * time.Hour), Outcomes: summary.Outcomes{Success: s, Failure: f}}
	}
	c := newChart([]summary.TimeBucket{h(0, 1, 3), h(1, 1, 0), h(3, 2, 0)})
	if len(c.Bars) != 4 || c.Max != 4 || c.Step != alert.Span(time.Hour) {
		t.Fatalf("bars %d max %d step %s", len(c.Bars), c.Max, c.Step)
	}
	b0 := c.Bars[0]
	if b0.HS != 45 || b0.HF != 135 || b0.YS != 135 || b0.YF != 0 {
		t.Errorf("first bar %+v", b0)
	}
	if c.Bars[2].HS != 0 || c.Bars[2].HF != 0 {
		t.Errorf("empty hour drawn: %+v", c.Bars[2])
	}
	long := newChart([]summary.TimeBucket{h(0, 1, 0), h(30*24, 1, 0)})
	if n := len(long.Bars); n > maxBars || n < maxBars/4 {
		t.Errorf("30 days in %d bars (step %s)", n, long.Step)
	}
	if !newChart(nil).Empty {
		t.Error("empty chart")
	}
}
