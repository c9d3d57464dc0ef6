package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/signwatch/signwatch/internal/alert"
	"github.com/signwatch/signwatch/internal/summary"
)

// CSVHeader is the header row of the csv format. Every row has these
// columns: detection rows fill the detection columns, summary rows (type
// "summary") only metric and value, so one RFC 4180 reader reads both.
var CSVHeader = []string{"type", "first_seen", "last_seen", "level", "rule_id", "rule_title", "rule_kind",
	"tags", "account", "region", "actor", "source_ip", "user_agent", "count", "group_key", "summary",
	"event_ids", "event_name", "aggregate_value", "metric", "value"}

// Neutralize defuses spreadsheet formula injection: a cell starting with
// = + - @ tab or carriage return gets a leading apostrophe, so a user agent
// or ARN chosen by an attacker is shown as text, never evaluated.
func Neutralize(cell string) string {
	if cell == "" {
		return cell
	}
	switch cell[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + cell
	}
	return cell
}

func writeCSV(w io.Writer, alerts []alert.Alert, s *summary.Summary, opt Options) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	write := func(row []string) error {
		for i := range row {
			row[i] = Neutralize(row[i])
		}
		return cw.Write(row)
	}
	if err := write(append([]string{}, CSVHeader...)); err != nil {
		return err
	}
	for i := range alerts {
		if err := write(detectionRow(&alerts[i])); err != nil {
			return err
		}
	}
	if !opt.NoSummary {
		rows, err := flatten(summaryView(alerts, s))
		if err != nil {
			return err
		}
		for _, r := range rows {
			row := make([]string, len(CSVHeader))
			row[0], row[len(row)-2], row[len(row)-1] = "summary", r[0], r[1]
			if err := write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func detectionRow(a *alert.Alert) []string {
	d := NewDetection(a)
	keys := make([]string, len(a.GroupKey))
	for i, kv := range a.GroupKey {
		keys[i] = kv.Key + "=" + kv.Value
	}
	return []string{"detection", fmtTime(a.FirstSeen), fmtTime(a.LastSeen), d.Rule.Level, d.Rule.ID,
		d.Rule.Title, d.Rule.Kind, strings.Join(d.Rule.Tags, ";"), d.Account, d.Region, d.Actor,
		d.SourceIP, d.UserAgent, strconv.Itoa(d.Count), strings.Join(keys, ";"), d.Summary,
		strings.Join(d.EventIDs, " "), d.EventName, strconv.FormatFloat(d.Value, 'f', -1, 64), "", ""}
}

// flatten turns v's JSON form into (dotted path, scalar) pairs in document
// order: {"a":{"b":1},"c":[{"k":"x"}]} gives a.b=1, c[0].k=x.
func flatten(v any) ([][2]string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("flatten summary: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out [][2]string
	if err := flattenValue(dec, "", &out); err != nil {
		return nil, fmt.Errorf("flatten summary: %w", err)
	}
	return out, nil
}

func flattenValue(dec *json.Decoder, path string, out *[][2]string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		return flattenContainer(dec, t, path, out)
	case nil:
		*out = append(*out, [2]string{path, ""})
	case string:
		*out = append(*out, [2]string{path, t})
	case json.Number:
		*out = append(*out, [2]string{path, t.String()})
	case bool:
		*out = append(*out, [2]string{path, strconv.FormatBool(t)})
	}
	return nil
}

func flattenContainer(dec *json.Decoder, open json.Delim, path string, out *[][2]string) error {
	for i := 0; dec.More(); i++ {
		p := fmt.Sprintf("%s[%d]", path, i)
		if open == '{' {
			tok, err := dec.Token()
			if err != nil {
				return err
			}
			p = fmt.Sprint(tok)
			if path != "" {
				p = path + "." + p
			}
		}
		if err := flattenValue(dec, p, out); err != nil {
			return err
		}
	}
	_, err := dec.Token() // the closing delimiter
	return err
}
