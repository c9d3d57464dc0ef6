package cwfilter

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/signwatch/signwatch/internal/event"
	"go.yaml.in/yaml/v3"
)

var t0 = time.Date(2023, 8, 24, 21, 0, 0, 0, time.UTC)

func at(min, sec int) time.Time {
	return t0.Add(time.Duration(min)*time.Minute + time.Duration(sec)*time.Second)
}

func observe(t *testing.T, e *Evaluator, when time.Time, raw string) {
	t.Helper()
	var d event.Doc
	var root event.Value
	if d.Parse([]byte(raw)) == nil {
		root = d.Root()
	}
	e.Observe(when, root, []byte(raw))
}

func newEval(t *testing.T, cfg Config) *Evaluator {
	t.Helper()
	e, err := NewEvaluator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func fptr(f float64) *float64 { return &f }

type wantTr struct {
	from, to State
	at       time.Time
	points   []float64
}

func checkTransitions(t *testing.T, got []Transition, want []wantTr) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d transitions %+v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.From != w.from || g.To != w.to || !g.Time.Equal(w.at) || (w.points != nil && !reflect.DeepEqual(g.Datapoints, w.points)) {
			t.Errorf("transition %d: %s -> %s at %v %v, want %s -> %s at %v %v (%s)", i, g.From, g.To, g.Time, g.Datapoints, w.from, w.to, w.at, w.points, g.Reason)
		}
	}
}

// The metric filter and alarm of seed 003, replayed in event time.
func seedConfig() Config {
	return Config{
		MetricFilters: []MetricFilter{{
			Name: "SignInFailedMFA", Pattern: seedIAMPattern,
			MetricName: "SigninMFAFailureCount", Namespace: "CloudTrailMetrics", MetricValue: "1",
		}},
		Alarms: []Alarm{{
			Name: "SignInFailedMFAAlarm", Metric: "SigninMFAFailureCount", Statistic: "Sum",
			Threshold: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold",
			Period: 5 * time.Minute, EvaluationPeriods: 1, TreatMissingData: "notBreaching",
		}},
	}
}

func TestSeedAlarmRaisesAtThePeriodEnd(t *testing.T) {
	e := newEval(t, seedConfig())
	observe(t, e, at(0, 30), seedConsoleLogin("Success", "Yes"))
	observe(t, e, at(2, 0), seedConsoleLogin("Failure", "Yes"))
	if got := e.Advance(at(4, 59)); len(got) != 0 {
		t.Fatalf("transition before the period ended: %+v", got)
	}
	got := e.Advance(at(5, 0))
	checkTransitions(t, got, []wantTr{{StateInsufficient, StateAlarm, at(5, 0), []float64{1}}})
	if got[0].Alarm != "SignInFailedMFAAlarm" || got[0].Metric != "SigninMFAFailureCount" || got[0].Dimensions != nil ||
		!reflect.DeepEqual(got[0].EventIDs, []string{"HIDDEN"}) {
		t.Errorf("transition %+v", got[0])
	}
	if !strings.Contains(got[0].Reason, "1 out of the last 1 datapoints [1 (24/08/23 21:00:00)] was greater than or equal to the threshold (1)") {
		t.Errorf("reason %q", got[0].Reason)
	}
	// CloudWatch keeps evaluating the last real datapoint while it is in
	// the evaluation range (N+2 = 3 periods), then the missing data is
	// treated as not breaching.
	checkTransitions(t, e.Advance(at(60, 0)), []wantTr{{StateAlarm, StateOK, at(20, 0), nil}})
}

func TestSeedAlarmIgnoresOtherSignIns(t *testing.T) {
	e := newEval(t, seedConfig())
	observe(t, e, at(1, 0), seedConsoleLogin("Failure", "No"))
	observe(t, e, at(2, 0), seedCredentialVerification("CredentialVerification", "TOTP", "Failure"))
	checkTransitions(t, e.Advance(at(10, 0)), []wantTr{{StateInsufficient, StateOK, at(5, 0), nil}})
}

// The default value example of the metric filter page: two records a
// minute, value 1, default 0: the first minute's value is 2, the second's 0.
func TestDefaultValueForMinutesWithoutMatches(t *testing.T) {
	cfg := errorsConfig()
	e := newEval(t, cfg)
	observe(t, e, at(0, 10), "ERROR one")
	observe(t, e, at(0, 20), "ERROR two")
	observe(t, e, at(1, 10), "fine")
	observe(t, e, at(1, 20), "fine")
	checkTransitions(t, e.Advance(at(3, 0)), []wantTr{
		{StateInsufficient, StateAlarm, at(1, 0), []float64{2}},
		{StateAlarm, StateOK, at(2, 0), []float64{0}},
	})

	// Without a default value the second minute has no datapoint, and the
	// alarm keeps evaluating the first one.
	cfg.MetricFilters[0].DefaultValue = nil
	e = newEval(t, cfg)
	observe(t, e, at(0, 10), "ERROR one")
	observe(t, e, at(1, 10), "fine")
	checkTransitions(t, e.Advance(at(3, 0)), []wantTr{{StateInsufficient, StateAlarm, at(1, 0), []float64{1}}})
}

func failedLogin(user string) string {
	if user == "" {
		return `{"eventName":"ConsoleLogin","responseElements":{"ConsoleLogin":"Failure"},"userIdentity":{"type":"IAMUser"}}`
	}
	return fmt.Sprintf(`{"eventName":"ConsoleLogin","responseElements":{"ConsoleLogin":"Failure"},"userIdentity":{"type":"IAMUser","userName":%q}}`, user)
}

func TestDimensionsSplitSeries(t *testing.T) {
	cfg := Config{
		MetricFilters: []MetricFilter{{Name: "failures", Pattern: `{ $.eventName = ConsoleLogin && $.responseElements.ConsoleLogin = Failure }`,
			MetricName: "Failures", Namespace: "SignIn", Dimensions: map[string]string{"User": "$.userIdentity.userName"}}},
		Alarms: []Alarm{{Name: "brute", Metric: "Failures", Threshold: 3, ComparisonOperator: "GreaterThanOrEqualToThreshold"}},
	}
	e := newEval(t, cfg)
	for i := 0; i < 3; i++ {
		observe(t, e, at(1, i), failedLogin("alice"))
	}
	observe(t, e, at(2, 0), failedLogin("bob"))
	observe(t, e, at(2, 1), failedLogin(""))
	got := e.Advance(at(5, 0))
	checkTransitions(t, got, []wantTr{
		{StateInsufficient, StateAlarm, at(5, 0), []float64{3}},
		{StateInsufficient, StateOK, at(5, 0), []float64{1}},
	})
	if !reflect.DeepEqual(got[0].Dimensions, map[string]string{"User": "alice"}) || got[1].Dimensions["User"] != "bob" {
		t.Errorf("dimensions %v %v", got[0].Dimensions, got[1].Dimensions)
	}
	if e.Stats().Unpublished != 1 {
		t.Errorf("unpublished = %d, want 1 (the event without userName)", e.Stats().Unpublished)
	}

	// An alarm with dimensions watches only that series.
	cfg.Alarms[0].Dimensions = map[string]string{"User": "bob"}
	e = newEval(t, cfg)
	for i := 0; i < 3; i++ {
		observe(t, e, at(1, i), failedLogin("alice"))
	}
	observe(t, e, at(1, 9), failedLogin("bob"))
	checkTransitions(t, e.Advance(at(5, 0)), []wantTr{{StateInsufficient, StateOK, at(5, 0), []float64{1}}})
}

func TestMetricValueFromFieldAndStatistics(t *testing.T) {
	for _, c := range []struct {
		stat string
		want float64
	}{{"Sum", 600}, {"Maximum", 300}, {"Minimum", 100}, {"Average", 200}, {"SampleCount", 3}} {
		cfg := Config{
			MetricFilters: []MetricFilter{{Name: "bytes", Pattern: `{ $.bytes = * }`, MetricName: "Bytes", Namespace: "S3", MetricValue: "$.bytes"}},
			Alarms:        []Alarm{{Name: "big", Metric: "Bytes", Statistic: c.stat, Threshold: 0, ComparisonOperator: "GreaterThanThreshold", Period: time.Minute}},
		}
		e := newEval(t, cfg)
		observe(t, e, at(0, 1), `{"bytes": 100}`)
		observe(t, e, at(0, 2), `{"bytes": "300"}`)
		observe(t, e, at(0, 3), `{"bytes": 2e2}`)
		observe(t, e, at(0, 4), `{"bytes": "many"}`)
		got := e.Flush()
		checkTransitions(t, got, []wantTr{{StateInsufficient, StateAlarm, at(1, 0), []float64{c.want}}})
		if e.Stats().Unpublished != 1 {
			t.Errorf("%s: unpublished %d", c.stat, e.Stats().Unpublished)
		}
	}
}

func TestSpaceDelimitedMetricValueAndDimension(t *testing.T) {
	cfg := Config{
		MetricFilters: []MetricFilter{{Name: "latency", Pattern: `[host, status = 5*, ms]`, MetricName: "Latency", Namespace: "Web",
			MetricValue: "$ms", Dimensions: map[string]string{"Host": "$host"}}},
		Alarms: []Alarm{{Name: "slow", Metric: "Latency", Statistic: "Maximum", Threshold: 1000, ComparisonOperator: "GreaterThanThreshold", Period: time.Minute}},
	}
	e := newEval(t, cfg)
	observe(t, e, at(0, 1), "web1 500 1500")
	observe(t, e, at(0, 2), "web1 200 9000")
	got := e.Flush()
	checkTransitions(t, got, []wantTr{{StateInsufficient, StateAlarm, at(1, 0), []float64{1500}}})
	if got[0].Dimensions["Host"] != "web1" {
		t.Errorf("dimensions %v", got[0].Dimensions)
	}
}

// A 2-out-of-3 alarm with one-minute periods; the breaching minutes need
// not be consecutive.
func TestMOutOfN(t *testing.T) {
	cfg := seedConfig()
	cfg.Alarms[0].Period = time.Minute
	cfg.Alarms[0].EvaluationPeriods = 3
	cfg.Alarms[0].DatapointsToAlarm = 2
	cfg.MetricFilters[0].DefaultValue = fptr(0)
	e := newEval(t, cfg)
	observe(t, e, at(0, 5), seedConsoleLogin("Failure", "Yes"))
	observe(t, e, at(1, 5), seedConsoleLogin("Success", "Yes"))
	observe(t, e, at(2, 5), seedConsoleLogin("Failure", "Yes"))
	checkTransitions(t, e.Advance(at(3, 0)), []wantTr{
		{StateInsufficient, StateOK, at(1, 0), []float64{1}},
		{StateOK, StateAlarm, at(3, 0), []float64{1, 0, 1}},
	})
}

func TestBreachingTreatmentWithoutData(t *testing.T) {
	cfg := seedConfig()
	cfg.Alarms[0].TreatMissingData = "breaching"
	e := newEval(t, cfg)
	observe(t, e, at(0, 1), `{"eventName":"GetObject"}`)
	got := e.Advance(at(5, 0))
	checkTransitions(t, got, []wantTr{{StateInsufficient, StateAlarm, at(5, 0), []float64{}}})
	if !strings.Contains(got[0].Reason, "1 missing datapoint treated as breaching") {
		t.Errorf("reason %q", got[0].Reason)
	}
}

func TestMissingTreatmentGoesBackToInsufficientData(t *testing.T) {
	cfg := seedConfig()
	cfg.Alarms[0].TreatMissingData = "missing"
	e := newEval(t, cfg)
	observe(t, e, at(0, 1), seedConsoleLogin("Failure", "Yes"))
	// A long quiet gap is skipped, not evaluated period by period.
	got := e.Advance(at(60*24*30, 0))
	checkTransitions(t, got, []wantTr{
		{StateInsufficient, StateAlarm, at(5, 0), []float64{1}},
		{StateAlarm, StateInsufficient, at(20, 0), nil},
	})
	if !strings.HasPrefix(got[1].Reason, "Insufficient Data") {
		t.Errorf("reason %q", got[1].Reason)
	}
	// Data after the gap is evaluated in its own period.
	observe(t, e, at(60*24*30+7, 0), seedConsoleLogin("Failure", "Yes"))
	checkTransitions(t, e.Flush(), []wantTr{{StateInsufficient, StateAlarm, at(60*24*30+10, 0), []float64{1}}})
}

func TestLateEventsAreCounted(t *testing.T) {
	e := newEval(t, seedConfig())
	observe(t, e, at(6, 0), seedConsoleLogin("Failure", "Yes"))
	e.Advance(at(10, 0))
	observe(t, e, at(7, 0), seedConsoleLogin("Failure", "Yes"))
	if e.Stats().Late != 1 {
		t.Errorf("late = %d, want 1", e.Stats().Late)
	}
}

func TestFlushWithoutEvents(t *testing.T) {
	e := newEval(t, seedConfig())
	observe(t, e, time.Time{}, seedConsoleLogin("Failure", "Yes"))
	if e.Stats().Untimed != 1 {
		t.Errorf("untimed = %d", e.Stats().Untimed)
	}
	if got := e.Flush(); got != nil {
		t.Errorf("transitions without events: %+v", got)
	}
}

func TestConfigValidationNamesFilterAlarmAndField(t *testing.T) {
	cfg := Config{
		MetricFilters: []MetricFilter{
			{Name: "bad-pattern", Pattern: `{ $.a = }`, MetricName: "M", Namespace: "N"},
			{Name: "no-metric", Pattern: `ERROR`},
			{Name: "dims", Pattern: `{ $.a = 1 }`, MetricName: "D", Namespace: "N", DefaultValue: fptr(0),
				Dimensions: map[string]string{"a": "$.a", "b": "$.b", "c": "$.c", "d": "x"}},
			{Name: "value", Pattern: `ERROR`, MetricName: "V", Namespace: "N", MetricValue: "$.x"},
			{Name: "ok", Pattern: `ERROR`, MetricName: "OK", Namespace: "N"},
			{Name: "ok", Pattern: `WARN`, MetricName: "OK2", Namespace: "N"},
		},
		Alarms: []Alarm{
			{Name: "a1", Metric: "Nope", ComparisonOperator: "GreaterThanThreshold"},
			{Name: "a2", Metric: "OK", ComparisonOperator: "GreaterThanUpperThreshold"},
			{Name: "a3", Metric: "OK", ComparisonOperator: "GreaterThanThreshold", Period: 300},
			{Name: "a4", Metric: "OK", ComparisonOperator: "GreaterThanThreshold", Period: 90 * time.Second},
			{Name: "a5", Metric: "OK", ComparisonOperator: "GreaterThanThreshold", EvaluationPeriods: 2, DatapointsToAlarm: 3},
			{Name: "a6", Metric: "OK", ComparisonOperator: "GreaterThanThreshold", Period: time.Minute, EvaluationPeriods: 1441},
			{Name: "a7", Metric: "OK", ComparisonOperator: ">", Statistic: "p99", TreatMissingData: "zero"},
			{Name: "a1", Metric: "OK", ComparisonOperator: "GreaterThanThreshold"},
		},
	}
	_, err := NewEvaluator(cfg)
	if err == nil {
		t.Fatal("invalid configuration accepted")
	}
	for _, want := range []string{
		`metric filter "bad-pattern": pattern: filter pattern: column 9`,
		`metric filter "no-metric": metric_name: required`,
		`metric filter "no-metric": namespace: required`,
		`metric filter "dims": dimensions: 4 dimensions`,
		`metric filter "dims": default_value: a metric filter with dimensions cannot have a default value`,
		`metric filter "dims": dimensions.d: "x" is not a field`,
		`metric filter "value": metric_value: "$.x" selects a JSON field, but the pattern is a terms pattern`,
		`metric filter "ok": name: defined twice`,
		`alarm "a1": metric: no metric filter publishes metric "Nope"`,
		`alarm "a2": comparison_operator: GreaterThanUpperThreshold compares with an anomaly detection band`,
		`alarm "a3": period: 300ns is shorter than a second; write the unit, e.g. 300s or 5m`,
		`alarm "a4": period: 1m30s`,
		`alarm "a5": datapoints_to_alarm: 3: must be between 1 and evaluation_periods (2)`,
		`alarm "a6": evaluation_periods: period × evaluation_periods = 24h1m0s exceeds CloudWatch's one day`,
		`alarm "a7": statistic: "p99" is not one of`,
		`alarm "a7": comparison_operator: ">" is not one of`,
		`alarm "a7": treat_missing_data: "zero" is not one of`,
		`alarm "a1": name: defined twice`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not contain %q:\n%v", want, err)
		}
	}
}

func TestConfigFromYAML(t *testing.T) {
	doc := `
metric_filters:
  - name: SignInFailedMFA
    pattern: '{ ($.eventName = ConsoleLogin) && ($.additionalEventData.MFAUsed = "Yes") && ($.responseElements.ConsoleLogin = "Failure") }'
    metric_name: SigninMFAFailureCount
    namespace: CloudTrailMetrics
    metric_value: "1"
    default_value: 0
alarms:
  - name: SignInFailedMFAAlarm
    metric: SigninMFAFailureCount
    statistic: Sum
    threshold: 1
    comparison_operator: GreaterThanOrEqualToThreshold
    period: 5m
    evaluation_periods: 1
    datapoints_to_alarm: 1
    treat_missing_data: notBreaching
`
	var cfg Config
	if err := yaml.Unmarshal([]byte(doc), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Alarms[0].Period != 5*time.Minute || cfg.MetricFilters[0].DefaultValue == nil || *cfg.MetricFilters[0].DefaultValue != 0 {
		t.Fatalf("decoded %+v", cfg)
	}
	e := newEval(t, cfg)
	observe(t, e, at(3, 0), seedConsoleLogin("Failure", "Yes"))
	checkTransitions(t, e.Flush(), []wantTr{{StateInsufficient, StateAlarm, at(5, 0), []float64{1}}})
}

func TestAlarmDefaults(t *testing.T) {
	a := Alarm{Name: "x", Metric: "m", ComparisonOperator: "LessThanThreshold"}
	if err := validateAlarm(&a); err != nil {
		t.Fatal(err)
	}
	if a.Statistic != "Sum" || a.Period != 5*time.Minute || a.EvaluationPeriods != 1 || a.DatapointsToAlarm != 1 || a.TreatMissingData != "missing" {
		t.Errorf("defaults %+v", a)
	}
}

func TestLessThanOperators(t *testing.T) {
	for _, c := range []struct {
		op   string
		v    float64
		want bool
	}{{"LessThanThreshold", 4, true}, {"LessThanThreshold", 5, false}, {"LessThanOrEqualToThreshold", 5, true},
		{"GreaterThanThreshold", 5, false}, {"GreaterThanOrEqualToThreshold", 5, true}} {
		if got := operators[c.op](c.v, 5); got != c.want {
			t.Errorf("%s(%v, 5) = %v", c.op, c.v, got)
		}
	}
	if !math.IsNaN(math.NaN()) || operators["GreaterThanThreshold"](math.NaN(), 0) {
		t.Error("NaN breached")
	}
}

func TestEvaluatorLiterals(t *testing.T) {
	e := newEval(t, seedConfig())
	lits := e.Literals()
	if len(lits) == 0 {
		t.Fatal("no literals for the seed filter")
	}
	found := false
	for _, l := range lits {
		found = found || strings.Contains(seedConsoleLogin("Failure", "Yes"), string(l))
	}
	if !found {
		t.Errorf("literals %q not in a matching event", lits)
	}
	cfg := seedConfig()
	cfg.MetricFilters = append(cfg.MetricFilters, MetricFilter{Name: "x", Pattern: `{ $.a NOT EXISTS }`, MetricName: "X", Namespace: "N"})
	if l := newEval(t, cfg).Literals(); l != nil {
		t.Errorf("literals %q with a NOT EXISTS filter", l)
	}
}

func TestSeriesLimit(t *testing.T) {
	cfg := Config{
		MetricFilters: []MetricFilter{{Name: "f", Pattern: `{ $.u = * }`, MetricName: "M", Namespace: "N", Dimensions: map[string]string{"U": "$.u"}}},
		Alarms:        []Alarm{{Name: "a", Metric: "M", Threshold: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold"}},
	}
	e := newEval(t, cfg)
	for i := 0; i < maxSeriesPerAlarm+5; i++ {
		observe(t, e, at(0, 1), fmt.Sprintf(`{"u":"user%d"}`, i))
	}
	if got := len(e.Flush()); got != maxSeriesPerAlarm {
		t.Errorf("%d transitions, want one per series (%d)", got, maxSeriesPerAlarm)
	}
	if e.Stats().DroppedSeries != 5 {
		t.Errorf("dropped %d, want 5", e.Stats().DroppedSeries)
	}
}

// A minute whose only match could not be published still gets the default value.
func TestDefaultValueWhenMatchUnpublished(t *testing.T) {
	cfg := Config{
		MetricFilters: []MetricFilter{{Name: "f", Pattern: `{ $.n = * }`, MetricName: "M", Namespace: "N", MetricValue: "$.n", DefaultValue: fptr(7)}},
		Alarms:        []Alarm{{Name: "a", Metric: "M", Statistic: "Maximum", Threshold: 5, ComparisonOperator: "GreaterThanThreshold", Period: time.Minute}},
	}
	e := newEval(t, cfg)
	observe(t, e, at(0, 1), `{"n":"x"}`)
	checkTransitions(t, e.Flush(), []wantTr{{StateInsufficient, StateAlarm, at(1, 0), []float64{7}}})
}

// The typical CIS alarm of the reference notes: unauthorized API calls,
// Sum over 300 s, one evaluation period, threshold 10, notBreaching.
func TestTypicalCISAlarm(t *testing.T) {
	cfg := Config{
		MetricFilters: []MetricFilter{{Name: "unauthorized_api_calls_metric", Pattern: cisCases[1].pattern,
			MetricName: "unauthorized_api_calls_metric", Namespace: "CISBenchmark"}},
		Alarms: []Alarm{{Name: "unauthorized_api_calls_metric", Metric: "unauthorized_api_calls_metric", Statistic: "Sum",
			Threshold: 10, ComparisonOperator: "GreaterThanOrEqualToThreshold", Period: 300 * time.Second,
			EvaluationPeriods: 1, TreatMissingData: "notBreaching"}},
	}
	denied := ct("s3.amazonaws.com", "GetObject", "IAMUser", `"errorCode":"AccessDenied"`)
	for _, n := range []int{9, 10} {
		e := newEval(t, cfg)
		for i := 0; i < n; i++ {
			observe(t, e, at(0, 10*i), denied)
		}
		want := StateOK
		if n >= 10 {
			want = StateAlarm
		}
		checkTransitions(t, e.Advance(at(5, 0)), []wantTr{{StateInsufficient, want, at(5, 0), []float64{float64(n)}}})
	}
}

func TestTransitionEvidence(t *testing.T) {
	cfg := seedConfig()
	cfg.Alarms[0].Period = time.Minute
	cfg.Alarms[0].EvaluationPeriods = 3
	cfg.Alarms[0].DatapointsToAlarm = 2
	e := newEval(t, cfg)
	withID := func(id string) string {
		return strings.Replace(seedConsoleLogin("Failure", "Yes"), `"eventID":"HIDDEN"`, `"eventID":"`+id+`"`, 1)
	}
	observe(t, e, at(0, 5), withID("e1"))
	observe(t, e, at(2, 5), withID("e2"))
	observe(t, e, at(2, 6), withID("e3"))
	got := e.Flush()
	checkTransitions(t, got, []wantTr{
		{StateInsufficient, StateOK, at(1, 0), []float64{1}},
		{StateOK, StateAlarm, at(3, 0), []float64{1, 2}},
	})
	if !reflect.DeepEqual(got[1].EventIDs, []string{"e1", "e2", "e3"}) {
		t.Errorf("evidence %v", got[1].EventIDs)
	}
}

// An event in the period the alarm evaluates next is not late.
func TestEventInTheNextPeriodIsNotLate(t *testing.T) {
	e := newEval(t, seedConfig())
	observe(t, e, at(1, 0), seedConsoleLogin("Failure", "Yes"))
	checkTransitions(t, e.Advance(at(5, 0)), []wantTr{{StateInsufficient, StateAlarm, at(5, 0), []float64{1}}})
	observe(t, e, at(5, 0), seedConsoleLogin("Failure", "Yes"))
	observe(t, e, at(5, 1), seedConsoleLogin("Failure", "Yes"))
	if e.Stats().Late != 0 {
		t.Errorf("late = %d, want 0", e.Stats().Late)
	}
	cfg := seedConfig()
	cfg.Alarms[0].Threshold = 2
	e = newEval(t, cfg)
	observe(t, e, at(1, 0), seedConsoleLogin("Failure", "Yes"))
	checkTransitions(t, e.Advance(at(5, 0)), []wantTr{{StateInsufficient, StateOK, at(5, 0), []float64{1}}})
	observe(t, e, at(5, 0), seedConsoleLogin("Failure", "Yes"))
	observe(t, e, at(9, 59), seedConsoleLogin("Failure", "Yes"))
	checkTransitions(t, e.Flush(), []wantTr{{StateOK, StateAlarm, at(10, 0), []float64{2}}})
}

// An Advance before any period has ended evaluates nothing, so an older
// event observed after it is not late: its period is still to be evaluated
// (a failed MFA sign-in read after a later success still raises the alarm).
func TestAdvanceBeforeAnyPeriodEndsLosesNothing(t *testing.T) {
	e := newEval(t, seedConfig())
	observe(t, e, at(7, 0), seedConsoleLogin("Success", "Yes"))
	checkTransitions(t, e.Advance(at(7, 30)), nil)
	observe(t, e, at(1, 0), seedConsoleLogin("Failure", "Yes"))
	if late := e.Stats().Late; late != 0 {
		t.Errorf("late = %d, want 0: no period had been evaluated", late)
	}
	checkTransitions(t, e.Flush(), []wantTr{{StateInsufficient, StateAlarm, at(5, 0), []float64{1}}})
}

// The default value is one sample for each minute of the period that had
// events but no match: not for a minute with a match, not for a minute of
// the next period.
func TestDefaultValueSamplesPerMinute(t *testing.T) {
	cfg := Config{
		MetricFilters: errorsFilter(),
		Alarms: []Alarm{{Name: "samples", Metric: "Errors", Statistic: "SampleCount", Threshold: 1,
			ComparisonOperator: "GreaterThanOrEqualToThreshold", Period: 5 * time.Minute}},
	}
	e := newEval(t, cfg)
	observe(t, e, at(0, 10), "ERROR one")
	observe(t, e, at(0, 20), "fine")
	observe(t, e, at(1, 10), "fine")
	observe(t, e, at(5, 10), "fine")
	checkTransitions(t, e.Flush(), []wantTr{{StateInsufficient, StateAlarm, at(5, 0), []float64{2}}})
}

// A default value published after a long quiet stretch is still evaluated:
// skipping quiet periods stops at minutes with events.
func TestDefaultValueAfterQuietStretch(t *testing.T) {
	e := newEval(t, errorsConfig())
	observe(t, e, at(0, 10), "ERROR one")
	observe(t, e, at(100, 10), "fine")
	checkTransitions(t, e.Advance(at(101, 0)), []wantTr{
		{StateInsufficient, StateAlarm, at(1, 0), []float64{1}},
		{StateAlarm, StateInsufficient, at(4, 0), nil},
		{StateInsufficient, StateOK, at(101, 0), []float64{0}},
	})
}

// Ingested and matched minutes of the period an alarm evaluates next
// survive an Advance: its default value is published exactly when the
// minute had events and no match.
func TestAdvanceKeepsMinutesOfTheNextPeriod(t *testing.T) {
	cfg := Config{
		MetricFilters: errorsFilter(),
		Alarms: []Alarm{{Name: "errors", Metric: "Errors", Statistic: "Minimum", Threshold: 1,
			ComparisonOperator: "GreaterThanOrEqualToThreshold", Period: time.Minute}},
	}
	// Minute 1 had events but no match: its default value 0 is not breaching.
	e := newEval(t, cfg)
	observe(t, e, at(0, 10), "ERROR one")
	observe(t, e, at(1, 10), "fine")
	checkTransitions(t, e.Advance(at(1, 30)), []wantTr{{StateInsufficient, StateAlarm, at(1, 0), []float64{1}}})
	checkTransitions(t, e.Flush(), []wantTr{{StateAlarm, StateOK, at(2, 0), []float64{0}}})
	// Minute 1 had a match: no default value, the minimum stays 1.
	e = newEval(t, cfg)
	observe(t, e, at(0, 10), "fine")
	observe(t, e, at(1, 10), "ERROR two")
	checkTransitions(t, e.Advance(at(1, 30)), []wantTr{{StateInsufficient, StateOK, at(1, 0), []float64{0}}})
	checkTransitions(t, e.Flush(), []wantTr{{StateOK, StateAlarm, at(2, 0), []float64{1}}})
}

// At most 100 eventIDs are kept as evidence per datapoint.
func TestEvidenceIsCappedPerDatapoint(t *testing.T) {
	e := newEval(t, seedConfig())
	for i := 0; i < maxEvidence+5; i++ {
		raw := strings.Replace(seedConsoleLogin("Failure", "Yes"), `"eventID":"HIDDEN"`, fmt.Sprintf(`"eventID":"e%d"`, i), 1)
		observe(t, e, at(1, i%60), raw)
	}
	got := e.Flush()
	checkTransitions(t, got, []wantTr{{StateInsufficient, StateAlarm, at(5, 0), []float64{maxEvidence + 5}}})
	if len(got[0].EventIDs) != 100 || got[0].EventIDs[99] != "e99" {
		t.Errorf("%d eventIDs, last %q; want the first 100", len(got[0].EventIDs), got[0].EventIDs[len(got[0].EventIDs)-1])
	}
}

// Maximum and Minimum of negative metric values.
func TestStatisticsOfNegativeValues(t *testing.T) {
	for _, c := range []struct {
		stat string
		want float64
	}{{"Maximum", -3}, {"Minimum", -5}, {"Average", -4}} {
		cfg := Config{
			MetricFilters: []MetricFilter{{Name: "d", Pattern: `{ $.v = * }`, MetricName: "Delta", Namespace: "N", MetricValue: "$.v"}},
			Alarms:        []Alarm{{Name: "neg", Metric: "Delta", Statistic: c.stat, Threshold: 0, ComparisonOperator: "LessThanThreshold", Period: time.Minute}},
		}
		e := newEval(t, cfg)
		observe(t, e, at(0, 1), `{"v": -5}`)
		observe(t, e, at(0, 2), `{"v": -3}`)
		checkTransitions(t, e.Flush(), []wantTr{{StateInsufficient, StateAlarm, at(1, 0), []float64{c.want}}})
	}
}

// ignore keeps the current state when the datapoints stop.
func TestIgnoreTreatmentKeepsTheState(t *testing.T) {
	cfg := seedConfig()
	cfg.Alarms[0].TreatMissingData = "ignore"
	e := newEval(t, cfg)
	observe(t, e, at(1, 0), seedConsoleLogin("Failure", "Yes"))
	checkTransitions(t, e.Advance(at(60, 0)), []wantTr{{StateInsufficient, StateAlarm, at(5, 0), []float64{1}}})
	observe(t, e, at(61, 0), seedConsoleLogin("Failure", "Yes"))
	checkTransitions(t, e.Advance(at(120, 0)), nil)
}

// Events given out of time order: evaluation starts with the period of the
// earliest event and Flush goes up to the period of the latest.
func TestOutOfOrderEventsBeforeTheFirstAdvance(t *testing.T) {
	e := newEval(t, seedConfig())
	observe(t, e, at(12, 0), seedConsoleLogin("Failure", "Yes"))
	observe(t, e, at(1, 0), seedConsoleLogin("Success", "Yes"))
	checkTransitions(t, e.Flush(), []wantTr{
		{StateInsufficient, StateOK, at(5, 0), []float64{}},
		{StateOK, StateAlarm, at(15, 0), []float64{1}},
	})
}

// Periods are aligned to multiples of the period since the Unix epoch,
// before 1970 too.
func TestPeriodsBeforeTheEpoch(t *testing.T) {
	e := newEval(t, seedConfig())
	before := time.Date(1969, 12, 31, 23, 58, 30, 0, time.UTC)
	observe(t, e, before, seedConsoleLogin("Failure", "Yes"))
	checkTransitions(t, e.Flush(), []wantTr{{StateInsufficient, StateAlarm, time.Unix(0, 0), []float64{1}}})
}

// An alarm's namespace picks among metric filters sharing the metric name.
func TestAlarmNamespaceSelectsTheFilter(t *testing.T) {
	cfg := Config{
		MetricFilters: []MetricFilter{
			{Name: "a", Pattern: "ERROR", MetricName: "Errors", Namespace: "AppA"},
			{Name: "b", Pattern: "WARN", MetricName: "Errors", Namespace: "AppB"},
		},
		Alarms: []Alarm{{Name: "b-errors", Metric: "Errors", Namespace: "AppB", Threshold: 1,
			ComparisonOperator: "GreaterThanOrEqualToThreshold", Period: time.Minute, TreatMissingData: "notBreaching"}},
	}
	e := newEval(t, cfg)
	observe(t, e, at(0, 1), "ERROR")
	got := e.Flush()
	checkTransitions(t, got, []wantTr{{StateInsufficient, StateOK, at(1, 0), []float64{}}})
	if got[0].Namespace != "AppB" {
		t.Errorf("namespace %q", got[0].Namespace)
	}
	cfg.Alarms[0].Namespace = ""
	if _, err := NewEvaluator(cfg); err == nil || !strings.Contains(err.Error(), `alarm "b-errors": namespace:`) {
		t.Errorf("an alarm on a metric in two namespaces without a namespace: %v", err)
	}
}

// Dimension values are the field's text: a JSON boolean is found, as its
// text. Space-delimited dimensions work with a constant metric value.
func TestDimensionValuesFromBooleansAndDelimitedFields(t *testing.T) {
	cfg := Config{
		MetricFilters: []MetricFilter{{Name: "f", Pattern: `{ $.eventName = GetObject }`, MetricName: "M", Namespace: "N",
			Dimensions: map[string]string{"ReadOnly": "$.readOnly"}}},
		Alarms: []Alarm{{Name: "a", Metric: "M", Threshold: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold", Period: time.Minute}},
	}
	e := newEval(t, cfg)
	observe(t, e, at(0, 1), `{"eventName":"GetObject","readOnly":false}`)
	got := e.Flush()
	checkTransitions(t, got, []wantTr{{StateInsufficient, StateAlarm, at(1, 0), []float64{1}}})
	if !reflect.DeepEqual(got[0].Dimensions, map[string]string{"ReadOnly": "false"}) || e.Stats().Unpublished != 0 {
		t.Errorf("dimensions %v, unpublished %d", got[0].Dimensions, e.Stats().Unpublished)
	}

	cfg = Config{
		MetricFilters: []MetricFilter{{Name: "errors", Pattern: `[host, status = 5*, ms]`, MetricName: "Errors", Namespace: "Web",
			Dimensions: map[string]string{"Host": "$host"}}},
		Alarms: []Alarm{{Name: "errors", Metric: "Errors", Threshold: 2, ComparisonOperator: "GreaterThanOrEqualToThreshold", Period: time.Minute}},
	}
	e = newEval(t, cfg)
	observe(t, e, at(0, 1), "web1 500 10")
	observe(t, e, at(0, 2), "web1 503 20")
	got = e.Flush()
	checkTransitions(t, got, []wantTr{{StateInsufficient, StateAlarm, at(1, 0), []float64{2}}})
	if got[0].Dimensions["Host"] != "web1" || e.Stats().Unpublished != 0 {
		t.Errorf("dimensions %v, unpublished %d", got[0].Dimensions, e.Stats().Unpublished)
	}
}

// datapoints_to_alarm defaults to evaluation_periods, and the range limits
// are inclusive: 7 days in all, one day for periods under an hour.
func TestAlarmPeriodDefaultsAndLimits(t *testing.T) {
	a := Alarm{Name: "x", Metric: "m", ComparisonOperator: "LessThanThreshold", EvaluationPeriods: 3}
	if err := validateAlarm(&a); err != nil || a.DatapointsToAlarm != 3 {
		t.Errorf("datapoints_to_alarm %d (%v), want 3", a.DatapointsToAlarm, err)
	}
	for _, c := range []struct {
		period time.Duration
		n      int
		ok     bool
	}{
		{time.Minute, 1440, true},
		{time.Minute, 1441, false},
		{59 * time.Minute, 25, false},
		{time.Hour, 48, true},
		{time.Hour, 168, true},
		{time.Hour, 169, false},
	} {
		a := Alarm{Name: "x", Metric: "m", ComparisonOperator: "LessThanThreshold", Period: c.period, EvaluationPeriods: c.n}
		if err := validateAlarm(&a); (err == nil) != c.ok {
			t.Errorf("period %v × %d: %v, want ok=%v", c.period, c.n, err, c.ok)
		}
	}
}

// Field references must fit the pattern's syntax, and an alarm's
// dimensions must name the metric's dimensions.
func TestConfigValidationOfReferences(t *testing.T) {
	cfg := Config{
		MetricFilters: []MetricFilter{
			{Name: "json", Pattern: `{ $.a = 1 }`, MetricName: "J", Namespace: "N", MetricValue: "$bytes"},
			{Name: "dims", Pattern: `{ $.a = 1 }`, MetricName: "D", Namespace: "N", Dimensions: map[string]string{"User": "$.user"}},
		},
		Alarms: []Alarm{{Name: "wrong-dims", Metric: "D", ComparisonOperator: "GreaterThanThreshold", Dimensions: map[string]string{"Role": "admin"}}},
	}
	_, err := NewEvaluator(cfg)
	if err == nil {
		t.Fatal("invalid configuration accepted")
	}
	for _, want := range []string{
		`metric filter "json": metric_value: "$bytes" names a space-delimited field, but the pattern is a json pattern`,
		`alarm "wrong-dims": dimensions: must name exactly the metric's dimensions (User)`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not contain %q:\n%v", want, err)
		}
	}
}

// errorsFilter is the metric filter of the default value examples: Errors
// counts "ERROR" lines, with 0 for minutes with events but no match.
func errorsFilter() []MetricFilter {
	return []MetricFilter{{Name: "errors", Pattern: "ERROR", MetricName: "Errors", Namespace: "App", DefaultValue: fptr(0)}}
}

// errorsConfig alarms on a minute with at least one "ERROR" line, with the
// default value 0 for minutes with events but no match.
func errorsConfig() Config {
	return Config{MetricFilters: errorsFilter(), Alarms: []Alarm{{Name: "errors", Metric: "Errors", Threshold: 1,
		ComparisonOperator: "GreaterThanOrEqualToThreshold", Period: time.Minute}}}
}
