package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/signwatch/signwatch/internal/alert"
	"github.com/signwatch/signwatch/internal/summary"
)

// GroupKey is an ordered group key; it is written as a JSON object whose
// members keep the rule's group-by order.
type GroupKey []alert.KV

// MarshalJSON writes the key as an ordered object.
func (g GroupKey) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, kv := range g {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(kv.Key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(kv.Value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads an object of strings, keeping the member order.
func (g *GroupKey) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("group_key: %w", err)
	}
	if tok == nil {
		*g = nil
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("group_key: want an object, found %v", tok)
	}
	out := GroupKey{}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return fmt.Errorf("group_key: %w", err)
		}
		var v string
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("group_key member %v: %w", k, err)
		}
		out = append(out, alert.KV{Key: k.(string), Value: v})
	}
	*g = out
	return nil
}

// summaryLine is the final line of jsonl: the summary's fields plus type.
type summaryLine struct {
	Type          string `json:"type"`
	SchemaVersion string `json:"schema_version"`
	*summary.View
}

// Document is the whole json output.
type Document struct {
	SchemaVersion string        `json:"schema_version"`
	Detections    []Detection   `json:"detections"`
	Summary       *summary.View `json:"summary"`
}

func newEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

func writeJSONL(w io.Writer, alerts []alert.Alert, s *summary.Summary, opt Options) error {
	enc := newEncoder(w)
	for i := range alerts {
		d := NewDetection(&alerts[i])
		d.Type = "detection"
		if err := enc.Encode(d); err != nil {
			return err
		}
	}
	if opt.NoSummary {
		return nil
	}
	return enc.Encode(summaryLine{Type: "summary", SchemaVersion: SchemaVersion, View: summaryView(alerts, s)})
}

func writeJSON(w io.Writer, alerts []alert.Alert, s *summary.Summary) error {
	// The document is streamed one detection at a time: a scan can report
	// tens of thousands of detections, and encoding the whole document at
	// once would hold its text (tens of MB) in memory, several times over
	// while the buffer grows. The bytes are those json.Encoder writes for
	// Document: compact, since indenting doubles the cost of writing it
	// (pipe through jq to read).
	bw, ok := w.(*bufio.Writer)
	if !ok {
		bw = bufio.NewWriterSize(w, 64<<10)
	}
	var buf bytes.Buffer
	enc := newEncoder(&buf)
	put := func(v any) error {
		buf.Reset()
		if err := enc.Encode(v); err != nil {
			return err
		}
		_, err := bw.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
		return err
	}
	bw.WriteString(`{"schema_version":`)
	if err := put(SchemaVersion); err != nil {
		return err
	}
	bw.WriteString(`,"detections":[`)
	for i := range alerts {
		if i > 0 {
			bw.WriteByte(',')
		}
		if err := put(NewDetection(&alerts[i])); err != nil {
			return err
		}
	}
	bw.WriteString(`],"summary":`)
	if err := put(summaryView(alerts, s)); err != nil {
		return err
	}
	bw.WriteString("}\n")
	return bw.Flush()
}
