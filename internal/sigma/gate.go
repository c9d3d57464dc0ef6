package sigma

// Gate applies the literal prefilter adaptively for one worker: when most
// events pass the prefilter anyway (a rule set with a rule that matches
// most events), scanning every event costs about as much as parsing it,
// so the Gate lets events through unscanned and keeps sampling one in
// gateSample to notice when filtering pays again. Pass never returns false
// for an event a rule can match. A Gate is not safe for concurrent use;
// give each worker its own (its zero value is not usable: use NewGate).
type Gate struct {
	e              *Engine
	bypass         bool
	n              int // events seen in the current window
	sampled        int // events scanned in the current window
	passed         int // scanned events that passed
	Scanned, Total int // counters for reporting
}

const (
	gateWindow = 1024 // events per decision window
	gateSample = 16   // while bypassing, scan one event in this many
	// gateBypassPercent is the pass rate above which scanning does not
	// pay: measured, a full scan costs about 1.6 parses of the same event
	// (BenchmarkSigmaHQ prefilter-only against parse-only).
	gateBypassPercent = 15
)

// NewGate returns a Gate over e's prefilter.
func (e *Engine) NewGate() *Gate { return &Gate{e: e} }

// Pass reports whether the event whose raw JSON is given must be parsed
// and matched; false means no rule can match it.
func (g *Gate) Pass(raw []byte) bool {
	g.Total++
	g.n++
	scan := !g.bypass || g.n%gateSample == 0
	ok := true
	if scan {
		g.Scanned++
		g.sampled++
		ok = g.e.MayMatch(raw)
		if ok {
			g.passed++
		}
	}
	if g.n >= gateWindow {
		g.bypass = g.sampled > 0 && g.passed*100 > g.sampled*gateBypassPercent
		g.n, g.sampled, g.passed = 0, 0, 0
	}
	return ok
}
