package alert_test

import (
	"testing"

	"github.com/signwatch/signwatch/internal/alert"
	"github.com/signwatch/signwatch/internal/drill"
)

// The drill marks are written by internal/drill and recognized here; they
// must stay the same.
func TestDrillMarksMatchDrillPackage(t *testing.T) {
	if alert.DrillEventIDPrefix != drill.EventIDPrefix || alert.DrillUserAgentSuffix != drill.UserAgentSuffix {
		t.Errorf("alert marks %q %q, drill writes %q %q", alert.DrillEventIDPrefix, alert.DrillUserAgentSuffix,
			drill.EventIDPrefix, drill.UserAgentSuffix)
	}
}
