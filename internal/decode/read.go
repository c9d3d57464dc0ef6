package decode

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/signwatch/signwatch/internal/inflate"
)

// maxPooled is the largest buffer returned to the pool; bigger ones are left
// to the garbage collector so that one huge input does not pin memory.
const maxPooled = 64 << 20

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

func putBuf(b *[]byte) {
	if cap(*b) > maxPooled {
		return
	}
	*b = (*b)[:0]
	bufPool.Put(b)
}

var gzPool sync.Pool // of *gzip.Reader

func isGzip(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }

// errReader remembers the first error of the underlying reader other than
// io.EOF, so that a read failure is told apart from a corrupt gzip stream.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF && e.err == nil {
		e.err = err
	}
	return n, err
}

// readAll reads the whole input into the decoder's pooled buffer, inflating
// gzip. Corrupt or truncated gzip and an input over MaxDecoded are reported
// as problems and what was read is kept; only a failure of r is an error.
func (d *decoder) readAll(r io.Reader) ([]byte, string, error) {
	if size, ok := d.fileSize(r); ok {
		return d.readFile(r, size)
	}
	er := &errReader{r: r}
	var head [512]byte
	n, err := io.ReadAtLeast(er, head[:], 2)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, "", fmt.Errorf("read: %w", err)
	}
	if isGzip(head[:n]) {
		return d.gunzipStream(head[:n], er)
	}
	buf := append((*d.buf)[:0], head[:n]...)
	if err != nil { // fewer than 2 bytes: that is the whole input
		*d.buf = buf
		return buf, "", nil
	}
	data, over, rerr := fill(buf, er, d.opt.MaxDecoded)
	*d.buf = data
	if rerr != nil {
		return data, "", fmt.Errorf("read: %w", rerr)
	}
	if over {
		d.report(Problem{Offset: d.opt.MaxDecoded, Msg: overMsg(d.opt.MaxDecoded)}, true)
	}
	return data, "", nil
}

// maxWholeRead is the largest file read whole before it is inflated: a
// gzip object is then inflated from memory, with one read system call
// rather than one per 4 KB. Larger files are streamed.
const maxWholeRead = 64 << 20

// maxWholeStream is the most of a gzip stream (an S3 object, standard
// input) read into memory before it is inflated: CloudTrail's objects are
// well under it, and a longer stream is inflated as it arrives rather than
// held twice, compressed and decoded. A variable so that tests can lower
// it.
var maxWholeStream int64 = 8 << 20

// gunzipStream inflates a gzip stream that begins with head. Up to
// maxWholeStream compressed bytes are read into memory and inflated whole,
// as a file is; a longer stream, or one whose reader fails, is inflated as
// it is read by the streaming reader, which then also reports the read
// error.
func (d *decoder) gunzipStream(head []byte, er *errReader) ([]byte, string, error) {
	raw := getBuf()
	defer putBuf(raw)
	data, more, rerr := readUpTo(append((*raw)[:0], head...), er, maxWholeStream)
	*raw = data
	if !more && rerr == nil {
		return d.gunzipWhole(data), "gzip/", nil
	}
	out, err := d.gunzip(io.MultiReader(bytes.NewReader(data), er), er)
	*d.buf = out
	return out, "gzip/", err
}

// fileSize tells the size of r when it is a regular file small enough to
// be read whole (one stat).
func (d *decoder) fileSize(r io.Reader) (int64, bool) {
	st, ok := r.(interface{ Stat() (fs.FileInfo, error) })
	if !ok {
		return 0, false
	}
	fi, err := st.Stat()
	// A size of 0 is not trusted: files of /proc and some FUSE file
	// systems say 0 and hold more. Such a file is streamed.
	if err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 || fi.Size() > min(maxWholeRead, d.opt.MaxDecoded) {
		return 0, false
	}
	return fi.Size(), true
}

// readFile reads a regular file whole, as it was when it was opened: its
// size then, no more (it may have shrunk: what is there is read). Stopping
// at the size saves the read that would see the end, a system call per
// file. A gzip file is then inflated from memory.
func (d *decoder) readFile(r io.Reader, size int64) ([]byte, string, error) {
	raw := getBuf()
	defer putBuf(raw)
	if int64(cap(*raw)) < size {
		*raw = make([]byte, 0, size)
	}
	n, err := io.ReadFull(r, (*raw)[:size])
	data := (*raw)[:n]
	*raw = data
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF { // EOF, ErrUnexpectedEOF: the file shrank
		return nil, "", fmt.Errorf("read: %w", err)
	}
	if !isGzip(data) {
		// The raw buffer becomes the decoded one, and the decoder's goes
		// back to the pool in its place.
		*raw, *d.buf = *d.buf, data
		return data, "", nil
	}
	return d.gunzipWhole(data), "gzip/", nil
}

// gunzipWhole inflates gzip data held whole in memory (multi-member
// allowed) into the decoder's buffer, sized ahead by the gzip trailer, and
// returns it. It uses internal/inflate: straight into the output, half
// again as fast as the streaming reader, which stays for long streams. Its
// problems are the streaming path's.
func (d *decoder) gunzipWhole(data []byte) []byte {
	if want := gzipSizeHint(data, d.opt.MaxDecoded); cap(*d.buf) < want {
		*d.buf = make([]byte, 0, want)
	}
	buf := (*d.buf)[:0]
	if _, err := inflate.Header(data); err != nil {
		d.report(Problem{Offset: 0, Msg: "invalid gzip header: " + err.Error()}, true)
		*d.buf = buf
		return buf
	}
	limit := int(min(d.opt.MaxDecoded, math.MaxInt))
	out, err := inflate.Gunzip(buf, data, limit)
	*d.buf = out
	switch {
	case errors.Is(err, inflate.ErrLimit):
		d.report(Problem{Offset: d.opt.MaxDecoded, Msg: overMsg(d.opt.MaxDecoded)}, true)
	case err != nil:
		d.report(Problem{Offset: int64(len(out)), Msg: gzipMsg(err, len(out))}, true)
	}
	return out
}

// maxSizeHint bounds the buffer allocated ahead on a gzip trailer's word: a
// lying trailer costs at most this much.
const maxSizeHint = 32 << 20

// gzipSizeHint is the buffer to inflate a gzip file into: the size its
// trailer gives (the last member's size, modulo 2^32) plus one byte for the
// read that sees the end, so that the buffer need not grow by copies.
// It is bounded by what deflate can expand the file to, limit and
// maxSizeHint; a wrong trailer only costs a grown buffer.
func gzipSizeHint(gz []byte, limit int64) int {
	if len(gz) < 18 {
		return 0
	}
	n := int64(binary.LittleEndian.Uint32(gz[len(gz)-4:])) + 1
	return int(min(n, 1032*int64(len(gz)), limit+1, maxSizeHint))
}

// exhaust reports, once, that the decode budget is spent: later encoded
// payloads and zip members are skipped without a report each.
func (d *decoder) exhaust(off int) {
	d.budget = 0
	if d.exhausted {
		return
	}
	d.exhausted = true
	o, l := d.pos(off)
	d.report(Problem{Offset: o, Line: l, Msg: overMsg(d.opt.MaxDecoded) + "; later encoded payloads were skipped"}, true)
}

func overMsg(limit int64) string {
	return fmt.Sprintf("decoded size exceeds the %d-byte limit: the rest of the input was not read", limit)
}

// readUpTo appends r to buf until r ends or buf holds more than limit
// bytes, and tells which: more is true when r may hold more (nothing read
// is dropped, so the caller can go on reading r after buf).
func readUpTo(buf []byte, r io.Reader, limit int64) ([]byte, bool, error) {
	for int64(len(buf)) <= limit {
		if len(buf) == cap(buf) { // double: fewer copies than append's 1.25x for big inputs
			nb := make([]byte, len(buf), max(2*cap(buf), 64<<10))
			copy(nb, buf)
			buf = nb
		}
		room := buf[len(buf):cap(buf)]
		// At most one byte past the limit (left+1 is formed only when it
		// is smaller than the room: a limit of MaxInt64 must not wrap).
		if left := limit - int64(len(buf)); left < int64(len(room)) {
			room = room[:left+1]
		}
		n, err := r.Read(room)
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, false, nil
		}
		if err != nil {
			return buf, false, err
		}
	}
	return buf, true, nil
}

// fill appends the rest of r to buf, up to limit bytes in all, and tells
// whether r held more than that.
func fill(buf []byte, r io.Reader, limit int64) ([]byte, bool, error) {
	buf, more, err := readUpTo(buf, r, limit)
	if more { // limit+1 bytes were read
		return buf[:limit], true, nil
	}
	return buf, false, err
}

// gunzip inflates src (multi-member allowed) into the decoder's buffer.
func (d *decoder) gunzip(src io.Reader, er *errReader) ([]byte, error) {
	buf := (*d.buf)[:0]
	zr, err := d.gzReader(src)
	if err != nil {
		if er.err != nil {
			return buf, fmt.Errorf("read: %w", er.err)
		}
		d.report(Problem{Offset: 0, Msg: "invalid gzip header: " + err.Error()}, true)
		return buf, nil
	}
	defer gzPool.Put(zr)
	buf, over, err := fill(buf, zr, d.opt.MaxDecoded)
	switch {
	case err != nil && er.err != nil:
		return buf, fmt.Errorf("read: %w", er.err)
	case err != nil:
		d.report(Problem{Offset: int64(len(buf)), Msg: gzipMsg(err, len(buf))}, true)
	case over:
		d.report(Problem{Offset: d.opt.MaxDecoded, Msg: overMsg(d.opt.MaxDecoded)}, true)
	}
	return buf, nil
}

func (d *decoder) gzReader(src io.Reader) (*gzip.Reader, error) {
	if zr, ok := gzPool.Get().(*gzip.Reader); ok {
		if err := zr.Reset(src); err != nil {
			gzPool.Put(zr)
			return nil, err
		}
		return zr, nil
	}
	return gzip.NewReader(src)
}

func gzipMsg(err error, n int) string {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Sprintf("truncated gzip stream: input ends after %d decoded bytes; events before that were kept", n)
	}
	return fmt.Sprintf("corrupt gzip stream after %d decoded bytes (%v); events before that were kept", n, err)
}

// inflate decodes a gzip payload found inside the input (a base64 line, a
// Firehose record) within the remaining decode budget.
func (d *decoder) inflate(b []byte, off int, buf []byte) ([]byte, bool) {
	if d.budget <= 0 {
		d.exhaust(off)
		return buf, false
	}
	zr, err := d.gzReader(bytes.NewReader(b))
	if err != nil {
		d.problemAt(off, nil, "invalid gzip header: "+err.Error())
		return buf, false
	}
	defer gzPool.Put(zr)
	out, over, err := fill(buf[:0], zr, d.budget)
	d.budget -= int64(len(out))
	switch {
	case err != nil:
		d.problemAt(off, nil, gzipMsg(err, len(out)))
	case over:
		d.exhaust(off)
	}
	return out, true
}
