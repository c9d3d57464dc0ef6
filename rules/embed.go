// Package rules is signwatch's built-in detection catalog: standard Sigma
// rule files (detections and correlations), each carrying its own test
// events, embedded in the binary and on by default.
package rules

import "embed"

// FS holds the catalog's rule files.
//
//go:embed *.yml
var FS embed.FS

// Notes is the hand-written part of docs/detections.md: deliberate
// differences from other vendors' rules and the reasons for them.
//
//go:embed notes.md
var Notes []byte
