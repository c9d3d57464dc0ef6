package cwfilter

// State is the state of an alarm.
type State string

// The alarm states.
const (
	StateOK           State = "OK"
	StateAlarm        State = "ALARM"
	StateInsufficient State = "INSUFFICIENT_DATA"
)

// point is one period's datapoint; ok is false for a missing datapoint.
type point struct {
	v   float64
	ok  bool
	t   int64    // period start, Unix seconds
	ids []string // eventIDs of the events published into the datapoint (capped)
}

// outcome is the result of evaluating an alarm's evaluation range.
type outcome struct {
	state     State
	retain    bool    // ignore: keep the current state
	used      []point // the real datapoints that took part
	filled    int     // missing datapoints filled in with the treatment
	breaching int     // breaching datapoints among the evaluated (real and filled)
}

// decide evaluates an alarm over its evaluation range pts (oldest first),
// following CloudWatch's documented procedure:
//
//   - with at least n real datapoints in the range, the n most recent real
//     ones are evaluated and the treatment of missing data is not used;
//   - with fewer, every real datapoint is evaluated together with as few
//     missing ones as needed to make n, the most recent missing ones,
//     treated per TreatMissingData;
//   - m or more breaching datapoints give ALARM, fewer give OK.
//
// For missing and ignore, a filled-in point is neither breaching nor not
// breaching: ALARM needs m real breaching points, OK needs a real
// non-breaching one. When neither holds, missing gives ALARM if the oldest
// evaluated datapoint is a real breaching one (the AWS page: "the oldest
// evaluated data point is breaching and there aren't any non-breaching
// data points") and INSUFFICIENT_DATA otherwise; ignore keeps the state.
// This reproduces every row of the two tables of the reference notes.
func decide(pts []point, n, m int, treat string, breach func(float64) bool) outcome {
	var real []int
	for i, p := range pts {
		if p.ok {
			real = append(real, i)
		}
	}
	if len(real) >= n {
		return count(pts, real[len(real)-n:], 0, m, false, breach)
	}
	fill := n - len(real)
	switch treat {
	case "breaching":
		return count(pts, real, fill, m, true, breach)
	case "notBreaching":
		return count(pts, real, fill, m, false, breach)
	}
	out := count(pts, real, fill, m, false, breach)
	if out.state == StateAlarm {
		return out
	}
	if out.breaching < len(real) { // a real non-breaching datapoint
		out.state = StateOK
		return out
	}
	switch {
	case treat == "ignore":
		out.retain = true
	case len(real) > 0 && missingAfter(pts, real[0]) >= fill:
		out.state = StateAlarm
	default:
		out.state = StateInsufficient
	}
	return out
}

// count evaluates the real points idx plus fill missing ones (breaching
// when fillBreach) against m.
func count(pts []point, idx []int, fill, m int, fillBreach bool, breach func(float64) bool) outcome {
	out := outcome{filled: fill, state: StateOK}
	for _, i := range idx {
		out.used = append(out.used, pts[i])
		if breach(pts[i].v) {
			out.breaching++
		}
	}
	if fillBreach {
		out.breaching += fill
	}
	if out.breaching >= m {
		out.state = StateAlarm
	}
	return out
}

// missingAfter counts the missing points newer than index i.
func missingAfter(pts []point, i int) int {
	c := 0
	for _, p := range pts[i+1:] {
		if !p.ok {
			c++
		}
	}
	return c
}
