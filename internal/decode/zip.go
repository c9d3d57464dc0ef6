package decode

import (
	"archive/zip"
	"bytes"
	"errors"
	"sort"
)

// maxZipDepth bounds zip archives inside zip archives.
const maxZipDepth = 2

func isZip(b []byte) bool { return len(b) >= 4 && string(b[:4]) == "PK\x03\x04" }

// zip decodes each file member of a zip archive held in memory (an archive
// on stdin or in S3; the source package expands local archives itself), in
// name order. Each member is its own stream: problems name the input as
// "name!member" and positions are inside the member.
func (d *decoder) zip(data []byte) string {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		d.problemAt(0, nil, "corrupt zip archive: "+err.Error())
		return ""
	}
	members := append([]*zip.File(nil), zr.File...)
	sort.SliceStable(members, func(i, j int) bool { return members[i].Name < members[j].Name })
	d.zipDepth++
	defer func() { d.zipDepth-- }()
	kind := ""
	for _, m := range members {
		if d.stopped() {
			break
		}
		if m.FileInfo().IsDir() {
			continue
		}
		if k := d.zipMember(m); kind == "" && k != "" {
			kind = "zip/" + k
		}
	}
	return kind
}

// zipMember inflates one member within the decode budget and decodes it.
func (d *decoder) zipMember(m *zip.File) string {
	name, outer, lineAt, line, nest, at := d.name, d.outer, d.lineAt, d.line, d.nest, d.at
	defer func() { d.name, d.outer, d.lineAt, d.line, d.nest, d.at = name, outer, lineAt, line, nest, at }()
	d.name = name + "!" + m.Name
	d.outer, d.lineAt, d.line, d.nest, d.at = nil, 0, 1, 0, 0
	buf := getBuf()
	defer putBuf(buf)
	rc, err := m.Open()
	if err != nil {
		d.problemAt(0, nil, "unreadable zip member: "+err.Error())
		return ""
	}
	out, over, err := fill((*buf)[:0], rc, d.budget)
	rc.Close()
	*buf = out
	d.budget -= int64(len(out))
	d.outer = out
	d.res.DecodedBytes += int64(len(out))
	switch {
	case err != nil:
		d.problemAt(len(out), nil, "corrupt zip member after "+itoa(len(out))+" bytes ("+err.Error()+"); what was read is kept")
	case over:
		d.exhaust(len(out))
	}
	if !isGzip(out) {
		return d.body(out)
	}
	gbuf := getBuf()
	defer putBuf(gbuf)
	inflated, ok := d.inflate(out, 0, *gbuf)
	*gbuf = inflated
	if !ok {
		return ""
	}
	d.outer, d.lineAt, d.line = inflated, 0, 1
	if k := d.body(inflated); k != "" {
		return "gzip/" + k
	}
	return ""
}
