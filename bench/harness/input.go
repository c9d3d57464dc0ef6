package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// loadInput describes an existing directory of CloudTrail files (such as
// the real corpora) for measurement. Events are counted independently of
// signwatch with encoding/json; files that are not CloudTrail JSON (README,
// LICENSE, archives) are listed as skipped.
func loadInput(root string, out io.Writer) (*dataset, error) {
	files, err := listFiles(root)
	if err != nil {
		return nil, err
	}
	ds := &dataset{targets: []target{{label: "input", path: root}}}
	var skipped []string
	zips := 0
	for _, f := range files {
		n, raw, gzipped, err := 0, int64(0), false, error(nil)
		isZip := strings.HasSuffix(strings.ToLower(f), ".zip")
		if isZip {
			n, raw, err = countZip(f)
		} else {
			n, raw, gzipped, err = countFile(f)
		}
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("%s (%v)", f, err))
			continue
		}
		ds.events += n
		ds.rawBytes += raw
		switch {
		case isZip:
			zips++ // only signwatch reads archives
		case gzipped:
			ds.gzFiles = append(ds.gzFiles, f)
			ds.gz.events += n
			ds.gz.raw += raw
		default:
			ds.plainFiles = append(ds.plainFiles, f)
			ds.plain.events += n
			ds.plain.raw += raw
		}
	}
	if ds.events == 0 {
		return nil, fmt.Errorf("no CloudTrail events found under %s", root)
	}
	fmt.Fprintf(out, "\ninput %s: %d events in %d files (%d .gz, %d plain, %d .zip), %.1f MB decompressed, %d files skipped\n",
		root, ds.events, len(ds.gzFiles)+len(ds.plainFiles)+zips, len(ds.gzFiles), len(ds.plainFiles), zips, mb(ds.rawBytes), len(skipped))
	for _, s := range skipped {
		fmt.Fprintf(out, "  skipped %s\n", s)
	}
	return ds, nil
}

// countZip counts the events of every member of a .zip archive.
func countZip(path string) (int, int64, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return 0, 0, fmt.Errorf("zip: %w", err)
	}
	defer zr.Close()
	total, raw := 0, int64(0)
	for _, m := range zr.File {
		if m.FileInfo().IsDir() {
			continue
		}
		n, r, err := countMember(m)
		if err != nil {
			return 0, 0, fmt.Errorf("member %s: %w", m.Name, err)
		}
		total += n
		raw += r
	}
	return total, raw, nil
}

func countMember(m *zip.File) (int, int64, error) {
	rc, err := m.Open()
	if err != nil {
		return 0, 0, err
	}
	defer rc.Close()
	n, raw, _, err := countReader(rc)
	return n, raw, err
}

// countFile returns the number of events in one file, its decompressed
// size, and whether it is gzip-compressed.
func countFile(path string) (events int, raw int64, gzipped bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, false, err
	}
	defer f.Close()
	return countReader(f)
}

// countReader counts the events of one possibly gzip-compressed stream.
func countReader(in io.Reader) (events int, raw int64, gzipped bool, err error) {
	br := bufio.NewReader(in)
	var r io.Reader = br
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return 0, 0, true, fmt.Errorf("gzip: %w", err)
		}
		r, gzipped = zr, true
	}
	cr := &countingReader{r: r}
	n, err := countEvents(cr)
	if err != nil {
		return 0, 0, gzipped, err
	}
	return n, cr.n, gzipped, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

var errNotCloudTrail = errors.New("not CloudTrail JSON")

// countEvents counts CloudTrail events in a stream of JSON values: objects
// with a "Records" array count its elements, arrays count their elements,
// digest files count none, other objects (single events, JSON Lines) count
// one each.
func countEvents(r io.Reader) (int, error) {
	dec := json.NewDecoder(r)
	total := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return 0, fmt.Errorf("%w: at offset %d: %v", errNotCloudTrail, dec.InputOffset(), err)
		}
		d, ok := tok.(json.Delim)
		if !ok {
			return 0, fmt.Errorf("%w: top-level %T at offset %d", errNotCloudTrail, tok, dec.InputOffset())
		}
		n, err := countValue(dec, d)
		if err != nil {
			return 0, fmt.Errorf("%w: at offset %d: %v", errNotCloudTrail, dec.InputOffset(), err)
		}
		total += n
	}
}

// countValue counts the events of the value whose opening delimiter was
// just read.
func countValue(dec *json.Decoder, open json.Delim) (int, error) {
	if open == '[' {
		return countArray(dec)
	}
	if open != '{' {
		return 0, fmt.Errorf("unexpected %v", open)
	}
	n, records, digest := 1, false, false
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return 0, err
		}
		if k == "logFiles" || k == "digestStartTime" { // a CloudTrail digest file
			digest = true
		}
		if k == "Records" {
			tok, err := dec.Token()
			if err != nil {
				return 0, err
			}
			if d, ok := tok.(json.Delim); ok && d == '[' {
				if n, err = countArray(dec); err != nil {
					return 0, err
				}
				records = true
				continue
			}
			return 0, errors.New(`"Records" is not an array`)
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return 0, err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return 0, err
	}
	switch {
	case records:
		return n, nil
	case digest:
		return 0, nil
	}
	return 1, nil
}

func countArray(dec *json.Decoder) (int, error) {
	n := 0
	for dec.More() {
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return 0, err
		}
		n++
	}
	_, err := dec.Token() // the closing bracket
	return n, err
}
