//go:build unix

package source

import (
	"errors"
	"os"
	"syscall"
)

// openFile opens a regular file for reading. os.Open first tries to
// register every file with the network poller, which a regular file
// refuses: five system calls (four fcntl and an epoll_ctl) per file that a
// trail of many small objects pays thousands of times. A descriptor handed
// to os.NewFile costs one fcntl; reads are the same blocking reads.
func openFile(p string) (*os.File, error) {
	for {
		fd, err := syscall.Open(p, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: p, Err: err}
		}
		return os.NewFile(uintptr(fd), p), nil
	}
}
