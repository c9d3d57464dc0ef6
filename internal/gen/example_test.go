package gen_test

import (
	"fmt"
	"log"
	"time"

	"github.com/signwatch/signwatch/internal/gen"
)

// Generate streams events to a callback; a benign month for a detection
// test, or a busy day for a benchmark.
func ExampleGenerate() {
	opt := gen.Options{Seed: 1, Events: 1000, Scenario: gen.ScenarioBenignMonth}
	n := 0
	err := gen.Generate(opt, func(ev []byte) error {
		n++ // ev is one CloudTrail event object; copy it to keep it
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, "events")
	// Output: 1000 events
}

// WriteS3Layout writes the same events as CloudTrail delivery objects.
func ExampleWriteS3Layout() {
	opt := gen.Options{Seed: 1, Events: 5000, Span: time.Hour}
	files, size, err := gen.WriteS3Layout("/tmp/cloudtrail-sample", opt, 500, true)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d .json.gz objects, %d bytes\n", files, size)
}
