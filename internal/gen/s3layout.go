package gen

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/klauspost/compress/gzip"
)

// deliveryInterval is how often CloudTrail delivers a file per account and
// region.
const deliveryInterval = 5 * time.Minute

// batch is one delivery object being filled.
type batch struct {
	account, region string
	window          time.Time // start of the delivery interval
	n               int
	buf             bytes.Buffer
}

// s3Writer groups events into CloudTrail delivery objects.
type s3Writer struct {
	dir     string
	perFile int
	gzip    bool
	r       *rand.Rand
	open    map[string]*batch
	files   int
	bytes   int64
	zbuf    bytes.Buffer
	zw      *gzip.Writer
}

// WriteS3Layout generates the events of opt and writes them under dir as
// CloudTrail S3 delivery objects: one object per account, region and
// five-minute delivery interval (split at perFile records), at
// AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<random>.json
// (".json.gz" and gzip-compressed when gzip is true), each holding
// {"Records":[...]}. It returns the number of objects and the bytes written.
// The same opt and perFile give the same files with the same contents.
func WriteS3Layout(dir string, opt Options, perFile int, gzip bool) (files int, bytes int64, err error) {
	if perFile < 1 {
		return 0, 0, fmt.Errorf("gen: perFile must be at least 1, got %d", perFile)
	}
	w := &s3Writer{dir: dir, perFile: perFile, gzip: gzip, open: map[string]*batch{},
		r: rand.New(rand.NewPCG(uint64(opt.Seed), 0x5157_4e47_5f53_3321))}
	if err := generate(opt, w.add); err != nil {
		return w.files, w.bytes, err
	}
	if err := w.flushAll(); err != nil {
		return w.files, w.bytes, err
	}
	return w.files, w.bytes, nil
}

func (w *s3Writer) add(m meta, ev []byte) error {
	key := m.account + "/" + m.region
	win := m.t.Truncate(deliveryInterval)
	b := w.open[key]
	if b != nil && (win.After(b.window) || b.n >= w.perFile) {
		if err := w.flush(b); err != nil {
			return err
		}
		b = nil
	}
	if b == nil {
		b = &batch{account: m.account, region: m.region, window: win}
		b.buf.WriteString(`{"Records":[`)
		w.open[key] = b
	}
	if b.n > 0 {
		b.buf.WriteByte(',')
	}
	b.buf.Write(ev)
	b.n++
	return nil
}

func (w *s3Writer) flushAll() error {
	keys := make([]string, 0, len(w.open))
	for k := range w.open {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := w.flush(w.open[k]); err != nil {
			return err
		}
	}
	return nil
}

// flush writes b and forgets it.
func (w *s3Writer) flush(b *batch) error {
	delete(w.open, b.account+"/"+b.region)
	b.buf.WriteString(`]}`)
	// CloudTrail names the object by its delivery time, a few minutes
	// after the interval it covers.
	at := b.window.Add(deliveryInterval)
	name := b.account + "_CloudTrail_" + b.region + "_" + at.Format("20060102T1504Z") + "_" + randFrom(w.r, mixedAlnum, 16) + ".json"
	dir := filepath.Join(w.dir, "AWSLogs", b.account, "CloudTrail", b.region, at.Format("2006"), at.Format("01"), at.Format("02"))
	data := b.buf.Bytes()
	if w.gzip {
		name += ".gz"
		var err error
		if data, err = w.compress(data); err != nil {
			return fmt.Errorf("gen: compressing %s: %w", name, err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("gen: writing %s: %w", path, err)
	}
	w.files++
	w.bytes += int64(len(data))
	return nil
}

func (w *s3Writer) compress(data []byte) ([]byte, error) {
	w.zbuf.Reset()
	if w.zw == nil {
		w.zw = gzip.NewWriter(&w.zbuf)
	} else {
		w.zw.Reset(&w.zbuf)
	}
	if _, err := w.zw.Write(data); err != nil {
		return nil, err
	}
	if err := w.zw.Close(); err != nil {
		return nil, err
	}
	return w.zbuf.Bytes(), nil
}
