package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/signwatch/signwatch/internal/scan"
)

// progressBar draws scan progress on stderr when stderr is a terminal.
type progressBar struct {
	mu     sync.Mutex
	w      io.Writer
	active bool
	drawn  bool
}

func newProgressBar(w io.Writer, disabled bool) *progressBar {
	return &progressBar{w: w, active: !disabled && isTerminal(w)}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (b *progressBar) update(p scan.Progress) {
	if !b.active || p.Elapsed < 500*time.Millisecond {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	secs := p.Elapsed.Seconds()
	line := fmt.Sprintf("\r\x1b[2K%d inputs  %s  %d events  %.0f events/s  %s/s",
		p.Inputs, humanBytes(p.Bytes), p.Events, float64(p.Events)/secs, humanBytes(int64(float64(p.Bytes)/secs)))
	if p.Walked > 0 && p.WalkDone && p.Inputs > 0 && p.Inputs < p.Walked {
		eta := time.Duration(float64(p.Elapsed) * float64(p.Walked-p.Inputs) / float64(p.Inputs))
		line += fmt.Sprintf("  %d/%d  ETA %s", p.Inputs, p.Walked, eta.Round(time.Second))
	}
	fmt.Fprint(b.w, line)
	b.drawn = true
}

func (b *progressBar) done() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.drawn {
		fmt.Fprint(b.w, "\r\x1b[2K")
	}
	b.active = false
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
