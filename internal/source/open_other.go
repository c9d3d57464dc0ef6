//go:build !unix

package source

import "os"

// openFile opens a regular file for reading.
func openFile(p string) (*os.File, error) { return os.Open(p) }
