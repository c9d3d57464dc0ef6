package source

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strconv"
	"sync"
)

// sharedZip is an open archive shared by the readers of its members; the
// file is closed when the walk and every opened member are done with it.
type sharedZip struct {
	mu   sync.Mutex
	refs int
	f    *os.File
	zr   *zip.Reader
}

func (s *sharedZip) release() {
	s.mu.Lock()
	s.refs--
	if s.refs == 0 {
		s.f.Close()
	}
	s.mu.Unlock()
}

// zip makes an input of each file member of the archive at p, in name
// order. Members are read straight from the archive, concurrently if the
// caller wishes.
func (w *walker) zip(p, name string, size int64) error {
	f, err := openFile(p)
	if err != nil {
		w.skip(name, reason(err))
		return nil
	}
	zr, err := zip.NewReader(f, size)
	if err != nil {
		f.Close()
		w.skip(name, "unreadable zip archive: "+err.Error())
		return nil
	}
	s := &sharedZip{f: f, zr: zr, refs: 1}
	defer s.release()
	members := append([]*zip.File(nil), zr.File...)
	sort.SliceStable(members, func(i, j int) bool { return members[i].Name < members[j].Name })
	for _, m := range members {
		if m.FileInfo().IsDir() {
			continue
		}
		mname := name + "!" + displayName(m.Name)
		if ok, why := w.filter.keepKey(path.Clean("/"+m.Name), false); !ok {
			w.prune(mname, why)
			continue
		}
		if m.UncompressedSize64 > uint64(w.opt.MaxMember) {
			w.skip(mname, "zip member of "+strconv.FormatUint(m.UncompressedSize64, 10)+" bytes is over the "+
				strconv.FormatInt(w.opt.MaxMember, 10)+"-byte limit")
			continue
		}
		if err := w.fn(Input{Name: mname, Size: int64(m.UncompressedSize64), Open: s.opener(m, mname, w.opt.MaxMember)}); err != nil {
			return err
		}
	}
	return nil
}

func (s *sharedZip) opener(m *zip.File, name string, limit int64) func(context.Context) (io.ReadCloser, error) {
	return func(context.Context) (io.ReadCloser, error) {
		s.mu.Lock()
		if s.refs == 0 {
			s.mu.Unlock()
			return s.reopen(m, name, limit)
		}
		s.refs++
		s.mu.Unlock()
		rc, err := m.Open()
		if err != nil {
			s.release()
			return nil, fmt.Errorf("open %s: %w", name, err)
		}
		return &memberReader{r: io.LimitReader(rc, limit+1), rc: rc, s: s, limit: limit, name: name}, nil
	}
}

// reopen serves an Open called after the archive was closed: it opens the
// archive again for this member alone.
func (s *sharedZip) reopen(m *zip.File, name string, limit int64) (io.ReadCloser, error) {
	f, err := openFile(s.f.Name())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	zr, err := zip.NewReader(f, fi.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	s2 := &sharedZip{f: f, zr: zr, refs: 1}
	for _, m2 := range zr.File {
		if m2.Name == m.Name && m2.CRC32 == m.CRC32 && m2.UncompressedSize64 == m.UncompressedSize64 {
			rc, err := s2.opener(m2, name, limit)(context.Background())
			s2.release() // the member reader holds the archive open now
			return rc, err
		}
	}
	f.Close()
	return nil, fmt.Errorf("open %s: member no longer in the archive", name)
}

// memberReader reads one member, failing when it inflates past the limit.
type memberReader struct {
	r     io.Reader
	rc    io.ReadCloser
	s     *sharedZip
	n     int64
	limit int64
	name  string
	once  sync.Once
}

func (m *memberReader) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	m.n += int64(n)
	if m.n > m.limit {
		return n, fmt.Errorf("%s: zip member inflates past the %d-byte limit", m.name, m.limit)
	}
	return n, err
}

func (m *memberReader) Close() error {
	err := m.rc.Close()
	m.once.Do(m.s.release)
	return err
}
