// Package config reads the signwatch configuration file, shared by scan and
// serve: rule tuning, field mappings, placeholders, correlation limits,
// CloudWatch metric filters and alarms.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"go.yaml.in/yaml/v3"

	"github.com/signwatch/signwatch/internal/baseline"
	"github.com/signwatch/signwatch/internal/correlate"
	"github.com/signwatch/signwatch/internal/cwfilter"
	"github.com/signwatch/signwatch/internal/ruleset"
	"github.com/signwatch/signwatch/internal/sigma"
)

// Config is the whole configuration file. Every section is optional.
type Config struct {
	// Placeholders are the values of %name% placeholders for the |expand
	// modifier, as with --placeholders.
	Placeholders map[string][]string `yaml:"placeholders"`
	// FieldMappings maps a field name used in rules to one or more CloudTrail
	// field paths, so that a rule written for another taxonomy (src_ip) reads
	// CloudTrail's (sourceIPAddress).
	FieldMappings map[string][]string `yaml:"field_mappings"`
	// Correlation bounds the state of correlation rules.
	Correlation correlate.Config `yaml:"correlation"`
	// CloudWatch holds metric filters and alarms with CloudWatch semantics.
	CloudWatch cwfilter.Config `yaml:"cloudwatch"`
	// Tuning sets thresholds, windows, levels and allow-lists of the rules
	// without editing rule files.
	Tuning ruleset.Tuning `yaml:"tuning"`
	// Baselines tunes the built-in baseline detectors.
	Baselines Baselines `yaml:"baselines"`
}

// Baselines holds the settings of the built-in baseline detectors.
type Baselines struct {
	// NewCountry tunes "sign-in from a new country for the principal".
	NewCountry baseline.Config `yaml:"new_country"`
}

// Load reads a configuration file. Unknown keys are errors (a misspelt key
// would otherwise silently leave a default in place).
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(path, data)
}

// Parse reads a configuration from data; name is used in errors.
func Parse(name string, data []byte) (*Config, error) {
	c := &Config{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("config %s: %w", name, err)
	}
	if err := checkPlaceholderNames(c.Placeholders); err != nil {
		return nil, fmt.Errorf("config %s: %w", name, err)
	}
	return c, nil
}

// LoadPlaceholders reads a --placeholders file: `placeholders: {name: [values]}`.
func LoadPlaceholders(path string) (map[string][]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("placeholders: %w", err)
	}
	var f struct {
		Placeholders map[string][]string `yaml:"placeholders"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("placeholders %s: %w", path, err)
	}
	if err := checkPlaceholderNames(f.Placeholders); err != nil {
		return nil, fmt.Errorf("placeholders %s: %w", path, err)
	}
	return f.Placeholders, nil
}

// checkPlaceholderNames rejects a name no rule can refer to: a rule writes
// %name% with a name of word characters only (see docs/sigma.md), so values
// given to "my-list" would silently go unused.
func checkPlaceholderNames(ph map[string][]string) error {
	for name := range ph {
		if !sigma.ValidPlaceholderName(name) {
			return fmt.Errorf("placeholder name %q: a rule can only refer to a name of letters, digits and '_' (as %%name%%)", name)
		}
	}
	return nil
}

// HasAlarms reports whether any metric filter is configured.
func (c *Config) HasAlarms() bool { return len(c.CloudWatch.MetricFilters) > 0 }
