package decode

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/signwatch/signwatch/internal/event"
)

// FuzzDecode feeds arbitrary bytes (seeded with every shape, gzip and
// base64 included) and checks that Decode never fails on in-memory input,
// that every emitted Raw is a valid JSON object, and that the counts agree.
func FuzzDecode(f *testing.F) {
	for _, data := range shapes() {
		f.Add(data)
	}
	f.Add([]byte(`{"Records":[{"eventVersion":"1.08","eventTime":5},{"eventID":tru},3]}`))
	f.Add([]byte(`[{"eventName":"x"},` + "\n" + `{"eventName":`))
	f.Add([]byte(`{"digestStartTime":"x"}`))
	f.Add(gz(`{"Records":[]}`)[:15])
	f.Fuzz(func(t *testing.T, data []byte) {
		events, problems := 0, 0
		res, err := Decode(context.Background(), "fuzz", bytes.NewReader(data), Options{MaxDecoded: 1 << 20, MaxLine: 1 << 16},
			func(r Record) error {
				events++
				if !json.Valid(r.Raw) || r.Raw[0] != '{' {
					t.Fatalf("emitted invalid event %q", r.Raw)
				}
				if r.Doc != nil && !bytes.Equal(r.Doc.Root().Raw(), r.Raw) {
					t.Fatalf("record's parsed tape %q differs from its bytes %q", r.Doc.Root().Raw(), r.Raw)
				}
				if r.Offset < 0 || r.Offset > int64(len(data))*4+1<<20 {
					t.Fatalf("offset %d out of range", r.Offset)
				}
				return nil
			},
			func(p Problem) {
				problems++
				// Members of archives inside the input are named "fuzz!member".
				if p.Msg == "" || (p.Input != "fuzz" && !strings.HasPrefix(p.Input, "fuzz!")) {
					t.Fatalf("problem without message or input: %+v", p)
				}
			})
		if err != nil {
			t.Fatalf("in-memory input gave error %v", err)
		}
		if res.Events != events || res.Problems != problems {
			t.Fatalf("result %+v, saw %d events %d problems", res, events, problems)
		}
		if events > 0 && res.Class != Events {
			t.Fatalf("events emitted but class %v", res.Class)
		}
	})
}

// FuzzScanString checks that the inline string scanner accepts and ends
// exactly where event.Skip does.
func FuzzScanString(f *testing.F) {
	for _, s := range []string{`"abc"`, `"a\"b"`, "\"a\x01b\"", `"unterminated`, `"12345678901234567\\u00e9"`, "\"\xff\xfe\"x"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, s []byte) {
		data := append([]byte{'"'}, s...)
		got, gerr := scanKey(data, 0)
		want, werr := event.Skip(data, 0)
		if (gerr == nil) != (werr == nil) || (gerr == nil && got != want) {
			t.Fatalf("scanKey %d %v, event.Skip %d %v", got, gerr, want, werr)
		}
	})
}

func TestNeedsAttentionHasNoFalseNegatives(t *testing.T) {
	for pos := 0; pos < 8; pos++ {
		for c := 0; c < 256; c++ {
			var b [8]byte
			for i := range b {
				b[i] = "abcdefgh"[i] + byte(0x80*(i%2)) // safe bytes, some high
			}
			b[pos] = byte(c)
			w := uint64(0)
			for i := 7; i >= 0; i-- {
				w = w<<8 | uint64(b[i])
			}
			if !keySafe[c] && !needsAttention(w) {
				t.Fatalf("byte %#x at %d not flagged", c, pos)
			}
		}
	}
}
