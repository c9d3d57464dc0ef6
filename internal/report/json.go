package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"sync"

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
	err := encodeDetections(w, alerts, func(b []byte, e *detectionEncoder, i int, d *Detection) ([]byte, error) {
		d.Type = "detection"
		b, err := e.append(b, d)
		return append(b, '\n'), err // one line each
	})
	if err != nil || opt.NoSummary {
		return err
	}
	return newEncoder(w).Encode(summaryLine{Type: "summary", SchemaVersion: SchemaVersion, View: summaryView(alerts, s)})
}

func writeJSON(w io.Writer, alerts []alert.Alert, s *summary.Summary) error {
	// The document is streamed a window of detections at a time: a scan can
	// report tens of thousands of detections, and encoding the whole
	// document at once would hold its text (tens of MB) in memory, several
	// times over while the buffer grows. The bytes are those json.Encoder
	// writes for Document: compact, since indenting doubles the cost of
	// writing it (pipe through jq to read).
	version, err := json.Marshal(SchemaVersion)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, `{"schema_version":`+string(version)+`,"detections":[`); err != nil {
		return err
	}
	err = encodeDetections(w, alerts, func(b []byte, e *detectionEncoder, i int, d *Detection) ([]byte, error) {
		if i > 0 {
			b = append(b, ',')
		}
		return e.append(b, d)
	})
	if err != nil {
		return err
	}
	var tail bytes.Buffer
	tail.WriteString(`],"summary":`)
	if err := newEncoder(&tail).Encode(summaryView(alerts, s)); err != nil {
		return err
	}
	tail.Truncate(tail.Len() - 1)
	tail.WriteString("}\n")
	_, err = w.Write(tail.Bytes())
	return err
}

// encodeWindow is how many detections are encoded before they are written:
// it bounds the memory of the encoded text whatever the number of
// detections.
const encodeWindow = 1024

// encodeDetections encodes every alert as a Detection with put, which
// appends detection i's text to b, and writes the text in alert order. The
// detections of a window are encoded on all available cores, each core
// appending to its own buffer, and the buffers are written in order.
func encodeDetections(w io.Writer, alerts []alert.Alert, put func(b []byte, e *detectionEncoder, i int, d *Detection) ([]byte, error)) error {
	parts := max(1, min(runtime.GOMAXPROCS(0), len(alerts)/64))
	bufs := make([][]byte, parts)
	encs := make([]*detectionEncoder, parts)
	for i := range encs {
		encs[i] = newDetectionEncoder()
	}
	errs := make([]error, parts)
	for start := 0; start < len(alerts); start += encodeWindow {
		end := min(start+encodeWindow, len(alerts))
		per := (end - start + parts - 1) / parts
		var wg sync.WaitGroup
		for p := range parts {
			lo, hi := min(start+p*per, end), min(start+(p+1)*per, end)
			bufs[p] = bufs[p][:0]
			wg.Go(func() {
				for i := lo; i < hi && errs[p] == nil; i++ {
					d := detectionOf(&alerts[i])
					bufs[p], errs[p] = put(bufs[p], encs[p], i, &d)
				}
			})
		}
		wg.Wait()
		for p := range parts {
			if errs[p] != nil {
				return errs[p]
			}
			if _, err := w.Write(bufs[p]); err != nil {
				return err
			}
		}
	}
	return nil
}
