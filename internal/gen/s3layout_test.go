package gen

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"
	"time"
)

var objectName = regexp.MustCompile(`^AWSLogs/(\d{12})/CloudTrail/([a-z0-9-]+)/(\d{4})/(\d{2})/(\d{2})/(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{8}T\d{4}Z)_[A-Za-z0-9]{16}\.json(\.gz)?$`)

// readTree returns every object under dir keyed by its relative path, gzip
// objects decompressed.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if filepath.Ext(p) == ".gz" {
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s: %v", rel, err)
			}
			if b, err = io.ReadAll(zr); err != nil {
				t.Fatalf("%s: %v", rel, err)
			}
			rel = rel[:len(rel)-len(".gz")]
		}
		out[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWriteS3Layout(t *testing.T) {
	opt := Options{Seed: 9, Events: 6000, Accounts: 4, Span: 2 * time.Hour}
	base := t.TempDir()
	plain, gz, again := filepath.Join(base, "plain"), filepath.Join(base, "gz"), filepath.Join(base, "again")
	nPlain, bPlain, err := WriteS3Layout(plain, opt, 50, false)
	if err != nil {
		t.Fatal(err)
	}
	nGz, bGz, err := WriteS3Layout(gz, opt, 50, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := WriteS3Layout(again, opt, 50, false); err != nil {
		t.Fatal(err)
	}
	if nPlain != nGz || bGz >= bPlain {
		t.Errorf("plain %d files %d bytes, gzip %d files %d bytes", nPlain, bPlain, nGz, bGz)
	}
	pt, zt, at := readTree(t, plain), readTree(t, gz), readTree(t, again)
	if len(pt) != nPlain {
		t.Errorf("reported %d files, found %d", nPlain, len(pt))
	}
	var eventIDs []string
	var total int64
	for name, b := range pt {
		total += int64(len(b))
		if !bytes.Equal(zt[name], b) {
			t.Errorf("%s: gzip object differs from the plain one", name)
		}
		if !bytes.Equal(at[name], b) {
			t.Errorf("%s: not reproduced by a second run", name)
		}
		eventIDs = append(eventIDs, checkObject(t, name, b)...)
	}
	if total != bPlain {
		t.Errorf("reported %d bytes, found %d", bPlain, total)
	}
	if len(eventIDs) != opt.Events {
		t.Errorf("objects hold %d records, want %d", len(eventIDs), opt.Events)
	}
	sort.Strings(eventIDs)
	for i := 1; i < len(eventIDs); i++ {
		if eventIDs[i] == eventIDs[i-1] {
			t.Fatalf("eventID %s delivered twice", eventIDs[i])
		}
	}
}

// checkObject verifies one delivery object against its key and returns its
// eventIDs.
func checkObject(t *testing.T, name string, b []byte) []string {
	t.Helper()
	m := objectName.FindStringSubmatch(name)
	if m == nil {
		t.Fatalf("object key %q does not follow the CloudTrail layout", name)
	}
	if m[1] != m[6] || m[2] != m[7] || m[3]+m[4]+m[5] != m[8][:8] {
		t.Errorf("%s: account, region or date disagree between path and name", name)
	}
	delivered, _ := time.Parse("20060102T1504Z", m[8])
	var obj struct {
		Records []record `json:"Records"`
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(obj.Records) == 0 || len(obj.Records) > 50 {
		t.Errorf("%s: %d records, want 1..50", name, len(obj.Records))
	}
	ids := make([]string, 0, len(obj.Records))
	for _, r := range obj.Records {
		if r.Recipient != m[1] || r.AWSRegion != m[2] {
			t.Errorf("%s: record for %s/%s", name, r.Recipient, r.AWSRegion)
		}
		at, err := time.Parse(time.RFC3339, r.EventTime)
		if err != nil || at.After(delivered) {
			t.Errorf("%s: event at %s is after the delivery time", name, r.EventTime)
		}
		ids = append(ids, r.EventID)
	}
	return ids
}

func TestWriteS3LayoutErrors(t *testing.T) {
	if _, _, err := WriteS3Layout(t.TempDir(), Options{Events: 10}, 0, false); err == nil {
		t.Error("perFile 0 accepted")
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := WriteS3Layout(file, Options{Events: 10}, 10, false); err == nil {
		t.Error("writing under a regular file did not fail")
	}
}
