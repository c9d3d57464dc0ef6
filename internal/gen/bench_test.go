package gen

import "testing"

// BenchmarkGenerate measures generation speed; b.SetBytes makes the MB/s
// column the rate of generated JSON.
func BenchmarkGenerate(b *testing.B) {
	var n int64
	for b.Loop() {
		n = 0
		err := Generate(Options{Seed: 1, Events: 10000}, func(ev []byte) error { n += int64(len(ev)); return nil })
		if err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(n)
	b.ReportMetric(float64(10000*b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkWriteS3LayoutGzip measures writing compressed delivery objects.
func BenchmarkWriteS3LayoutGzip(b *testing.B) {
	dir := b.TempDir()
	for b.Loop() {
		if _, _, err := WriteS3Layout(dir, Options{Seed: 1, Events: 10000}, 1000, true); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(10000*b.N)/b.Elapsed().Seconds(), "events/s")
}
