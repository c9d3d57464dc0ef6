// Package source finds the inputs of a scan: files, directories walked in
// key order, stdin, the members of .zip archives and S3 objects, pruning by
// the CloudTrail key layout (date folders, account folders, delivery time in
// file names) when a time range or accounts are selected.
//
// Pruning only ever drops whole files whose layout proves they cannot hold
// wanted events; it never drops events. See docs/inputs.md.
package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Input is one readable input.
type Input struct {
	// Name is the display name: a path, "archive.zip!member/path",
	// "s3://bucket/key" or "-". It is valid UTF-8: undecodable bytes of a
	// file name are shown as \xNN.
	Name string
	// Size is the size in bytes, -1 when unknown.
	Size int64
	// Open opens the input. It is safe for concurrent use and may be called
	// after Walk returned.
	Open func(ctx context.Context) (io.ReadCloser, error)
}

// Skipped is something that was not made an Input: pruned by layout,
// unreadable, a symlink loop, not a regular file...
type Skipped struct {
	Name, Reason string
	// Pruned is true when the key layout showed that the file or folder
	// cannot hold events in the selected time range or accounts: a
	// deliberate skip, not an input error.
	Pruned bool
}

// DefaultMaxMember bounds the uncompressed size of one zip member.
const DefaultMaxMember = 1 << 30

// Options select and bound the inputs.
type Options struct {
	// Since and Until bound event time (zero = unbounded). They prune by key
	// layout only: files that cannot hold events in the range are skipped.
	Since, Until time.Time
	// Accounts selects AWSLogs/<account>/ and AWSLogs/<o-id>/<account>/
	// layouts (and <account>_CloudTrail_ file names); empty selects all.
	Accounts []string
	// Slack is how far before its delivery time a file may hold events;
	// zero means DefaultSlack.
	Slack time.Duration
	// S3Endpoint overrides the S3 endpoint (then path-style addressing is
	// used), for S3-compatible servers.
	S3Endpoint string
	// S3Region is the region for S3 requests; empty uses the default chain
	// (AWS_REGION, the config file), then us-east-1.
	S3Region string
	// Stdin is read for "-"; nil means os.Stdin.
	Stdin io.Reader
	// MaxMember bounds the uncompressed size of one zip member (zip-bomb
	// guard); larger members are skipped. Zero means DefaultMaxMember.
	MaxMember int64
}

// Walk calls fn for each input found under paths, in order: each path in
// turn, directories recursively in lexical order. What cannot be read or is
// pruned is passed to skipped (which may be nil). Walk stops at the first
// error from fn, or when ctx is done, and returns that error; an S3 listing
// failure is also returned. A path that does not exist is skipped.
func Walk(ctx context.Context, paths []string, opt Options, fn func(Input) error, skipped func(Skipped)) error {
	w := &walker{opt: opt, filter: newFilter(opt), fn: fn, skipped: skipped}
	if w.opt.MaxMember <= 0 {
		w.opt.MaxMember = DefaultMaxMember
	}
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		var err error
		switch {
		case p == "-":
			err = w.stdin()
		case strings.HasPrefix(p, "s3://"):
			err = w.s3(ctx, p)
		default:
			err = w.path(ctx, p)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

type walker struct {
	opt     Options
	filter  filter
	fn      func(Input) error
	skipped func(Skipped)
	s3c     *s3Client
}

func (w *walker) skip(name, reason string) {
	if w.skipped != nil {
		w.skipped(Skipped{Name: name, Reason: reason})
	}
}

// prune reports something the key layout excluded.
func (w *walker) prune(name, reason string) {
	if w.skipped != nil {
		w.skipped(Skipped{Name: name, Reason: reason, Pruned: true})
	}
}

func (w *walker) stdin() error {
	in := w.opt.Stdin
	if in == nil {
		in = os.Stdin
	}
	return w.fn(Input{Name: "-", Size: -1, Open: func(context.Context) (io.ReadCloser, error) {
		return io.NopCloser(in), nil
	}})
}

// path handles one command-line path: a file, or a directory to walk.
func (w *walker) path(ctx context.Context, p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		w.skip(displayName(p), reason(err))
		return nil
	}
	if !fi.IsDir() {
		return w.file(p, fi.Mode(), fi.Size())
	}
	return w.dir(ctx, p, []os.FileInfo{fi})
}

// dir walks a directory; ancestors holds the directories above it (symlinks
// followed) to detect loops.
func (w *walker) dir(ctx context.Context, dir string, ancestors []os.FileInfo) error {
	entries, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		w.skip(displayName(dir), reason(err))
		if len(entries) == 0 {
			return nil
		}
	}
	for _, e := range w.sortedEntries(dir, entries) {
		if err := ctx.Err(); err != nil {
			return err
		}
		p := e.path
		if !e.mode.IsDir() {
			if err := w.file(p, e.mode, e.size); err != nil {
				return err
			}
			continue
		}
		if ok, why := w.filter.keepKey(filepath.ToSlash(p), true); !ok {
			w.prune(displayName(p)+string(filepath.Separator), why)
			continue
		}
		if loop(e.fi, ancestors) {
			w.skip(displayName(p), "symlink loop: the directory is one of its own ancestors")
			continue
		}
		if err := w.dir(ctx, p, append(ancestors, e.fi)); err != nil {
			return err
		}
	}
	return nil
}

type entry struct {
	key  string // name, with "/" after a directory's: S3 key order
	path string
	mode fs.FileMode
	size int64       // -1 when not known without a stat
	fi   os.FileInfo // set for directories (symlink loop detection)
}

// sortedEntries describes the entries in S3 key order. Regular files are
// taken as the directory listing describes them, without a stat each (a
// trail holds many small objects); directories, symlinks (followed) and
// entries of other types are stat'ed. Failures are reported as skipped.
func (w *walker) sortedEntries(dir string, entries []os.DirEntry) []entry {
	out := make([]entry, 0, len(entries))
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if e.Type().IsRegular() {
			out = append(out, entry{key: e.Name(), path: p, size: -1})
			continue
		}
		fi, err := os.Stat(p)
		if err != nil {
			w.skip(displayName(p), reason(err))
			continue
		}
		key := e.Name()
		if fi.IsDir() {
			key += "/"
		}
		out = append(out, entry{key: key, path: p, mode: fi.Mode(), size: fi.Size(), fi: fi})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

func loop(fi os.FileInfo, ancestors []os.FileInfo) bool {
	for _, a := range ancestors {
		if os.SameFile(fi, a) {
			return true
		}
	}
	return false
}

// file makes an input of a regular file, or of each member of a zip.
// size is -1 when the directory listing gave the file without its size.
func (w *walker) file(p string, mode fs.FileMode, size int64) error {
	name := displayName(p)
	if !mode.IsRegular() {
		w.skip(name, "not a regular file ("+mode.Type().String()+")")
		return nil
	}
	if ok, why := w.filter.keepKey(filepath.ToSlash(p), false); !ok {
		w.prune(name, why)
		return nil
	}
	if !deliveryName(p) {
		isZip, n, err := hasZipMagic(p)
		if err != nil {
			w.skip(name, reason(err))
			return nil
		}
		if isZip {
			return w.zip(p, name, n)
		}
	}
	return w.fn(Input{Name: name, Size: size, Open: func(context.Context) (io.ReadCloser, error) {
		f, err := openFile(p)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", name, err)
		}
		return f, nil
	}})
}

// deliveryName reports whether p ends like the objects CloudTrail and its
// exports deliver (.json, .json.gz and any .gz, .jsonl). Such files are not opened
// by the walk to look for the zip signature: that doubled the system calls
// per file. Should one hold a zip archive anyway, the decoder finds the
// signature and expands the archive itself, as for standard input.
func deliveryName(p string) bool {
	n := len(p)
	for _, ext := range [...]string{".json", ".gz", ".jsonl"} {
		if n >= len(ext) && strings.EqualFold(p[n-len(ext):], ext) {
			return true
		}
	}
	return false
}

// hasZipMagic opens the file (which also proves it readable) and tells
// whether it starts like a zip archive, and its size.
func hasZipMagic(p string) (bool, int64, error) {
	f, err := openFile(p)
	if err != nil {
		return false, 0, err
	}
	defer f.Close()
	var head [4]byte
	n, err := io.ReadFull(f, head[:])
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return false, 0, err
	}
	if n < 4 || string(head[:]) != "PK\x03\x04" {
		return false, 0, nil
	}
	fi, err := f.Stat()
	if err != nil {
		return false, 0, err
	}
	return true, fi.Size(), nil
}

func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "does not exist (or is a broken symlink)"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	return err.Error()
}

// displayName makes a file name printable: invalid UTF-8 bytes and control
// characters are written as \xNN.
func displayName(s string) string {
	ok := utf8.ValidString(s)
	if ok {
		for _, r := range s {
			if r < 0x20 || r == 0x7f {
				ok = false
				break
			}
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || r < 0x20 || r == 0x7f {
			fmt.Fprintf(&b, `\x%02x`, s[i])
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
