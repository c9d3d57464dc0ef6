package cwfilter

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/signwatch/signwatch/internal/event"
)

// Config is the `cloudwatch` section of the configuration file: metric
// filters and the alarms on their metrics.
type Config struct {
	// MetricFilters turn matching events into metric datapoints.
	MetricFilters []MetricFilter `yaml:"metric_filters"`
	// Alarms watch the metrics of the metric filters.
	Alarms []Alarm `yaml:"alarms"`
}

// MetricFilter is a CloudWatch Logs metric filter: each event the pattern
// matches adds MetricValue to the metric for the minute of the event.
type MetricFilter struct {
	// Name identifies the filter in errors and reports.
	Name string `yaml:"name"`
	// Pattern is a CloudWatch Logs filter pattern (JSON, terms or space-delimited).
	Pattern string `yaml:"pattern"`
	// MetricName is the metric the filter publishes to; alarms refer to it.
	MetricName string `yaml:"metric_name"`
	// Namespace is the metric's namespace, e.g. CloudTrailMetrics.
	Namespace string `yaml:"namespace"`
	// MetricValue is what a match adds: a number (default "1"), a JSON
	// field "$.field" or a space-delimited field "$name".
	MetricValue string `yaml:"metric_value"`
	// DefaultValue, when set, is published for every minute in which
	// events were observed but none matched. Not allowed with dimensions.
	DefaultValue *float64 `yaml:"default_value"`
	// Dimensions maps up to three dimension names to the field
	// ("$.field" or "$name") holding each value; an event without one of
	// the fields is not published.
	Dimensions map[string]string `yaml:"dimensions"`
}

// Alarm is a CloudWatch metric alarm on a metric filter's metric.
type Alarm struct {
	// Name identifies the alarm in transitions and alerts.
	Name string `yaml:"name"`
	// Metric is the MetricName of the metric filter(s) the alarm watches.
	Metric string `yaml:"metric"`
	// Namespace selects among metric filters that share a MetricName.
	Namespace string `yaml:"namespace"`
	// Dimensions, when set, restricts the alarm to the one series with
	// exactly these dimension values; when empty, an alarm on a metric with
	// dimensions watches each series separately.
	Dimensions map[string]string `yaml:"dimensions"`
	// Statistic aggregates a period: Sum (default), SampleCount, Average,
	// Minimum or Maximum.
	Statistic string `yaml:"statistic"`
	// Threshold is compared with each period's statistic.
	Threshold float64 `yaml:"threshold"`
	// ComparisonOperator is GreaterThanOrEqualToThreshold,
	// GreaterThanThreshold, LessThanThreshold or LessThanOrEqualToThreshold.
	ComparisonOperator string `yaml:"comparison_operator"`
	// Period is the length of each datapoint: a multiple of one minute
	// (default 5m); write it with a unit, e.g. 300s or 5m.
	Period time.Duration `yaml:"period"`
	// EvaluationPeriods is N, the number of recent datapoints evaluated (default 1).
	EvaluationPeriods int `yaml:"evaluation_periods"`
	// DatapointsToAlarm is M, how many of the N must breach (default N).
	DatapointsToAlarm int `yaml:"datapoints_to_alarm"`
	// TreatMissingData is missing (default), notBreaching, breaching or ignore.
	TreatMissingData string `yaml:"treat_missing_data"`
}

// Limits CloudWatch places on metric filters and alarms.
const (
	maxDimensions      = 3
	maxSeriesPerAlarm  = 1000 // AWS disables a filter at 1000 dimension value pairs
	maxEvaluationRange = 7 * 24 * time.Hour
	shortPeriodRange   = 24 * time.Hour // range limit when the period is under an hour
)

// Statistics and operators accepted by alarms.
var (
	statistics = []string{"Average", "Maximum", "Minimum", "SampleCount", "Sum"}
	operators  = map[string]func(v, t float64) bool{
		"GreaterThanOrEqualToThreshold": func(v, t float64) bool { return v >= t },
		"GreaterThanThreshold":          func(v, t float64) bool { return v > t },
		"LessThanThreshold":             func(v, t float64) bool { return v < t },
		"LessThanOrEqualToThreshold":    func(v, t float64) bool { return v <= t },
	}
	anomalyOperators = []string{"LessThanLowerOrGreaterThanUpperThreshold", "LessThanLowerThreshold", "GreaterThanUpperThreshold"}
	treatments       = []string{"missing", "notBreaching", "breaching", "ignore"}
)

// fieldRef is where a metric value or dimension value comes from.
type fieldRef struct {
	src      string
	constant float64
	isConst  bool
	json     *selector // $.field
	delim    string    // $name or $N of a space-delimited pattern
}

// parseFieldRef reads "$.field", "$name" or (when allowConst) a number.
func parseFieldRef(s string, kind Kind, allowConst bool) (fieldRef, error) {
	ref := fieldRef{src: s}
	switch {
	case strings.HasPrefix(s, "$."):
		if kind != JSON {
			return ref, fmt.Errorf("%q selects a JSON field, but the pattern is a %s pattern", s, kind)
		}
		p := &parser{src: s}
		sel, err := p.parseSelector()
		if err != nil {
			return ref, fmt.Errorf("%q: %w", s, err)
		}
		if !p.eof() {
			return ref, fmt.Errorf("%q: unexpected %s at column %d", s, p.describe(p.pos), p.columnOf(p.pos))
		}
		if sel.wild {
			return ref, fmt.Errorf("%q: a metric or dimension field cannot contain a wildcard", s)
		}
		ref.json = &sel
	case strings.HasPrefix(s, "$"):
		if kind != Delimited {
			return ref, fmt.Errorf("%q names a space-delimited field, but the pattern is a %s pattern", s, kind)
		}
		ref.delim = s
	default:
		f, ok := parseNumber([]byte(s))
		if !allowConst || !ok {
			if allowConst {
				return ref, fmt.Errorf("%q is neither a number nor a field ($.field or $name)", s)
			}
			return ref, fmt.Errorf("%q is not a field ($.field or $name)", s)
		}
		ref.constant, ref.isConst = f, true
	}
	return ref, nil
}

// text returns the referenced field's text, if the event has it as a value.
func (r *fieldRef) text(ev event.Value, fields map[string]string) (string, bool) {
	if r.delim != "" {
		s, ok := fields[r.delim]
		return s, ok
	}
	var out string
	found := r.json.each(ev, func(v event.Value) bool {
		switch v.Kind() {
		case event.String, event.Number, event.Bool:
			out = v.Str()
			return true
		}
		return false
	})
	return out, found
}

// number returns the metric value the reference gives for one event.
func (r *fieldRef) number(ev event.Value, fields map[string]string) (float64, bool) {
	if r.isConst {
		return r.constant, true
	}
	s, ok := r.text(ev, fields)
	if !ok {
		return 0, false
	}
	return parseNumber([]byte(s))
}

// compiledFilter is a validated metric filter.
type compiledFilter struct {
	cfg      MetricFilter
	pat      *Pattern
	value    fieldRef
	dimNames []string // sorted
	dims     []fieldRef
}

func compileFilter(mf MetricFilter) (*compiledFilter, error) {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("metric filter %q: %s: %s", mf.Name, field, fmt.Sprintf(format, args...)))
	}
	if mf.MetricValue == "" {
		mf.MetricValue = "1"
	}
	cf := &compiledFilter{cfg: mf}
	pat, err := Parse(mf.Pattern)
	if err != nil {
		return nil, fmt.Errorf("metric filter %q: pattern: %w", mf.Name, err)
	}
	cf.pat = pat
	if mf.MetricName == "" {
		bad("metric_name", "required")
	}
	if mf.Namespace == "" {
		bad("namespace", "required")
	}
	if cf.value, err = parseFieldRef(mf.MetricValue, pat.Kind(), true); err != nil {
		bad("metric_value", "%v", err)
	}
	cf.compileDimensions(bad)
	return cf, errors.Join(errs...)
}

func (cf *compiledFilter) compileDimensions(bad func(field, format string, args ...any)) {
	mf := cf.cfg
	if len(mf.Dimensions) == 0 {
		return
	}
	if len(mf.Dimensions) > maxDimensions {
		bad("dimensions", "%d dimensions; CloudWatch allows at most %d", len(mf.Dimensions), maxDimensions)
	}
	if cf.pat.Kind() == Terms {
		bad("dimensions", "dimensions need a JSON or space-delimited pattern")
		return
	}
	if mf.DefaultValue != nil {
		bad("default_value", "a metric filter with dimensions cannot have a default value")
	}
	for name := range mf.Dimensions {
		cf.dimNames = append(cf.dimNames, name)
	}
	sort.Strings(cf.dimNames)
	for _, name := range cf.dimNames {
		if strings.TrimSpace(name) == "" {
			bad("dimensions", "empty dimension name")
		}
		ref, err := parseFieldRef(mf.Dimensions[name], cf.pat.Kind(), false)
		if err != nil {
			bad("dimensions."+name, "%v", err)
		}
		cf.dims = append(cf.dims, ref)
	}
}

// extract returns the metric value and dimension values of a matching
// event; ok is false when the event cannot be published (a field is
// missing or the value is not a number).
func (cf *compiledFilter) extract(ev event.Value, raw []byte) (float64, []string, bool) {
	var fields map[string]string
	if cf.pat.Kind() == Delimited && (!cf.value.isConst || len(cf.dims) > 0) {
		fields, _ = cf.pat.Fields(raw)
	}
	v, ok := cf.value.number(ev, fields)
	if !ok {
		return 0, nil, false
	}
	if len(cf.dims) == 0 {
		return v, nil, true
	}
	vals := make([]string, len(cf.dims))
	for i := range cf.dims {
		s, ok := cf.dims[i].text(ev, fields)
		if !ok {
			return 0, nil, false
		}
		vals[i] = s
	}
	return v, vals, true
}

// validateAlarm checks an alarm and fills in its defaults.
func validateAlarm(a *Alarm) error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("alarm %q: %s: %s", a.Name, field, fmt.Sprintf(format, args...)))
	}
	if a.Metric == "" {
		bad("metric", "required (the metric_name of a metric filter)")
	}
	if a.Statistic == "" {
		a.Statistic = "Sum"
	}
	if !contains(statistics, a.Statistic) {
		bad("statistic", "%q is not one of %s", a.Statistic, strings.Join(statistics, ", "))
	}
	switch {
	case a.ComparisonOperator == "":
		bad("comparison_operator", "required: one of %s", strings.Join(sortedKeys(operators), ", "))
	case contains(anomalyOperators, a.ComparisonOperator):
		bad("comparison_operator", "%s compares with an anomaly detection band, which metric filter alarms here do not have", a.ComparisonOperator)
	case operators[a.ComparisonOperator] == nil:
		bad("comparison_operator", "%q is not one of %s", a.ComparisonOperator, strings.Join(sortedKeys(operators), ", "))
	}
	if a.TreatMissingData == "" {
		a.TreatMissingData = "missing"
	}
	if !contains(treatments, a.TreatMissingData) {
		bad("treat_missing_data", "%q is not one of %s", a.TreatMissingData, strings.Join(treatments, ", "))
	}
	validatePeriods(a, bad)
	return errors.Join(errs...)
}

func validatePeriods(a *Alarm, bad func(field, format string, args ...any)) {
	if a.Period == 0 {
		a.Period = 5 * time.Minute
	}
	if a.EvaluationPeriods == 0 {
		a.EvaluationPeriods = 1
	}
	if a.DatapointsToAlarm == 0 {
		a.DatapointsToAlarm = a.EvaluationPeriods
	}
	switch {
	case a.Period < time.Second:
		bad("period", "%v is shorter than a second; write the unit, e.g. %ds or 5m", a.Period, int64(a.Period))
	case a.Period < 0 || a.Period%time.Minute != 0:
		bad("period", "%v: metric filter metrics have one-minute resolution, so the period must be a positive multiple of 60s", a.Period)
	}
	if a.EvaluationPeriods < 1 {
		bad("evaluation_periods", "%d: must be at least 1", a.EvaluationPeriods)
		return
	}
	if a.DatapointsToAlarm < 1 || a.DatapointsToAlarm > a.EvaluationPeriods {
		bad("datapoints_to_alarm", "%d: must be between 1 and evaluation_periods (%d)", a.DatapointsToAlarm, a.EvaluationPeriods)
	}
	total := time.Duration(a.EvaluationPeriods) * a.Period
	if a.Period > 0 && (total > maxEvaluationRange || total/time.Duration(a.EvaluationPeriods) != a.Period) {
		bad("evaluation_periods", "period × evaluation_periods = %v exceeds CloudWatch's 7 days", total)
	} else if a.Period < time.Hour && total > shortPeriodRange {
		bad("evaluation_periods", "period × evaluation_periods = %v exceeds CloudWatch's one day for periods under an hour", total)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

func formatValue(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
