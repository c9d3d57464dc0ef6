package cwfilter

import (
	"strings"
	"testing"
)

// parsePoints reads a row of the reference tables: 0 is a non-breaching
// datapoint, X a breaching one, - a missing one; oldest first.
func parsePoints(t *testing.T, row string) []point {
	t.Helper()
	var pts []point
	for i, f := range strings.Fields(row) {
		switch f {
		case "0":
			pts = append(pts, point{v: 0, ok: true, t: int64(i)})
		case "X":
			pts = append(pts, point{v: 1, ok: true, t: int64(i)})
		case "-":
			pts = append(pts, point{t: int64(i)})
		default:
			t.Fatalf("bad row %q", row)
		}
	}
	return pts
}

// retain marks "Retain current state" in the tables.
const retain State = "retain"

// The two acceptance tables of the reference notes (3.6), verbatim: for
// each row, the state under MISSING, IGNORE, BREACHING and NOT BREACHING.
var missingDataTables = []struct {
	m, n  int
	row   string
	wants [4]State
}{
	{3, 3, "0 - X - X", [4]State{StateOK, StateOK, StateOK, StateOK}},
	{3, 3, "0 - - - -", [4]State{StateOK, StateOK, StateOK, StateOK}},
	{3, 3, "- - - - -", [4]State{StateInsufficient, retain, StateAlarm, StateOK}},
	{3, 3, "0 X X - X", [4]State{StateAlarm, StateAlarm, StateAlarm, StateAlarm}},
	{3, 3, "- - - - X", [4]State{StateInsufficient, retain, StateAlarm, StateOK}},
	{3, 3, "X - - - -", [4]State{StateAlarm, retain, StateAlarm, StateOK}},
	{2, 3, "0 - X - X", [4]State{StateAlarm, StateAlarm, StateAlarm, StateAlarm}},
	{2, 3, "0 0 X 0 X", [4]State{StateAlarm, StateAlarm, StateAlarm, StateAlarm}},
	{2, 3, "0 - X - -", [4]State{StateOK, StateOK, StateAlarm, StateOK}},
	{2, 3, "- - - - 0", [4]State{StateOK, StateOK, StateAlarm, StateOK}},
	{2, 3, "- - - - X", [4]State{StateInsufficient, retain, StateAlarm, StateOK}},
}

func TestMissingDataTables(t *testing.T) {
	breach := func(v float64) bool { return v >= 1 }
	for _, row := range missingDataTables {
		pts := parsePoints(t, row.row)
		if len(pts) != evaluationRange(row.n) {
			t.Fatalf("row %q: %d points, the range for N=%d is %d", row.row, len(pts), row.n, evaluationRange(row.n))
		}
		for i, treat := range []string{"missing", "ignore", "breaching", "notBreaching"} {
			o := decide(pts, row.n, row.m, treat, breach)
			got := o.state
			if o.retain {
				got = retain
			}
			if got != row.wants[i] {
				t.Errorf("%d of %d, %q, %s: got %s, want %s", row.m, row.n, row.row, treat, got, row.wants[i])
			}
		}
	}
}

// With at least N real datapoints the most recent N decide, whatever the
// treatment of missing data.
func TestDecideUsesMostRecentRealDatapoints(t *testing.T) {
	breach := func(v float64) bool { return v >= 1 }
	pts := parsePoints(t, "X X 0 - 0")
	for _, treat := range treatments {
		o := decide(pts, 2, 1, treat, breach)
		if o.state != StateOK || len(o.used) != 2 || o.used[0].t != 2 {
			t.Errorf("%s: %+v", treat, o)
		}
	}
}

// missing: with fewer than N real datapoints, a real breaching datapoint
// followed by exactly as many missing ones as are filled is the oldest
// evaluated point, so the alarm goes to ALARM; one missing point fewer
// after it and the oldest evaluated point is a missing one.
func TestMissingTreatmentOldestEvaluatedBreaching(t *testing.T) {
	breach := func(v float64) bool { return v >= 1 }
	for _, c := range []struct {
		row  string
		want State
	}{
		{"- - X - -", StateAlarm},
		{"- - - X -", StateInsufficient},
	} {
		if o := decide(parsePoints(t, c.row), 3, 3, "missing", breach); o.state != c.want || o.retain {
			t.Errorf("3 of 3, %q, missing: got %+v, want %s", c.row, o, c.want)
		}
	}
}
