package gen

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Scenario names accepted by Options.Scenario.
const (
	// ScenarioMix is ordinary activity plus the occasional suspicious
	// sign-in (root sign-ins, MFA failures, a rare brute force or spray):
	// what a busy organisation's trail looks like.
	ScenarioMix = "mix"
	// ScenarioBenignMonth is ordinary activity only: sign-ins, typos
	// followed by a success, SSO logins, CheckMfa, switch-role and EC2
	// instance-role API calls, with no attack and no root sign-in. By
	// default it covers 30 days for 50 accounts.
	ScenarioBenignMonth = "benign-month"
)

// Options control what Generate produces. Zero fields take the defaults
// listed on each field.
type Options struct {
	// Seed selects the output; the same Options give the same bytes.
	Seed int64
	// Events is the number of events (default 100,000; 200,000 for
	// benign-month, which gives about 6,000 sign-in events).
	Events int
	// Accounts is the number of AWS accounts (default 10; 50 for
	// benign-month).
	Accounts int
	// Start is the time of the first event (default 2026-10-01T00:00:00Z).
	Start time.Time
	// Span is the time covered (default 24h; 30 days for benign-month).
	Span time.Duration
	// SignInFraction is the share of sign-in events: every event of
	// signin.amazonaws.com and sso.amazonaws.com plus IAM credential changes
	// (default 0.03).
	SignInFraction float64
	// Scenario is ScenarioMix (default) or ScenarioBenignMonth.
	Scenario string
}

// DefaultStart is the Start used when Options.Start is zero.
var DefaultStart = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)

// withDefaults fills zero fields and validates the rest.
func (o Options) withDefaults() (Options, error) {
	if o.Scenario == "" {
		o.Scenario = ScenarioMix
	}
	benign := o.Scenario == ScenarioBenignMonth
	if !benign && o.Scenario != ScenarioMix {
		return o, fmt.Errorf("gen: unknown scenario %q (want %q or %q)", o.Scenario, ScenarioMix, ScenarioBenignMonth)
	}
	if o.Events == 0 {
		o.Events = 100_000
		if benign {
			o.Events = 200_000
		}
	}
	if o.Accounts == 0 {
		o.Accounts = 10
		if benign {
			o.Accounts = 50
		}
	}
	if o.Start.IsZero() {
		o.Start = DefaultStart
	}
	if o.Span == 0 {
		o.Span = 24 * time.Hour
		if benign {
			o.Span = 30 * 24 * time.Hour
		}
	}
	if o.SignInFraction == 0 {
		o.SignInFraction = 0.03
	}
	switch {
	case o.Events < 0:
		return o, fmt.Errorf("gen: Events must not be negative, got %d", o.Events)
	case o.Accounts < 1 || o.Accounts > 100_000:
		return o, fmt.Errorf("gen: Accounts must be 1..100000, got %d", o.Accounts)
	case o.Span < 0:
		return o, fmt.Errorf("gen: Span must not be negative, got %v", o.Span)
	case o.SignInFraction < 0 || o.SignInFraction > 1:
		return o, fmt.Errorf("gen: SignInFraction must be within [0,1], got %v", o.SignInFraction)
	}
	o.Start = o.Start.UTC()
	return o, nil
}

// errStop ends generation early once enough events were produced.
var errStop = errors.New("gen: enough events")

// meta describes a generated event for writers that route it (S3 layout).
type meta struct {
	account, region string
	t               time.Time
}

type generator struct {
	opt      Options
	benign   bool
	r        *rand.Rand
	w        *world
	out      jw
	n        int // events emitted
	signins  int
	slack    float64
	now      time.Time // base time of the current step
	sink     func(m meta, ev []byte) error
	sessions map[string]*session
	burst    burst
}

// Generate produces opt.Events CloudTrail events, in roughly ascending
// eventTime (as in real delivery files, events of a multi-step sign-in may
// run a few seconds ahead), and calls fn with each event's JSON object. The
// slice is reused after fn returns. An error from fn stops generation and is
// returned. The output depends only on opt.
func Generate(opt Options, fn func(ev []byte) error) error {
	return generate(opt, func(_ meta, ev []byte) error { return fn(ev) })
}

func generate(opt Options, sink func(m meta, ev []byte) error) error {
	opt, err := opt.withDefaults()
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(uint64(opt.Seed), 0x9e3779b97f4a7c15))
	g := &generator{opt: opt, benign: opt.Scenario == ScenarioBenignMonth, r: r, sink: sink, sessions: map[string]*session{}}
	g.w = buildWorld(r, opt.Accounts)
	g.out.b = make([]byte, 0, 16<<10)
	err = g.run()
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}

func (g *generator) run() error {
	step := time.Duration(0)
	if g.opt.Events > 0 {
		step = g.opt.Span / time.Duration(g.opt.Events)
	}
	for g.n < g.opt.Events {
		g.now = g.opt.Start.Add(step * time.Duration(g.n))
		var err error
		if float64(g.signins)+g.slack < g.opt.SignInFraction*float64(g.n+1) {
			err = g.signInEpisode()
			g.slack = 6 * g.r.Float64()
		} else {
			err = g.apiEvent()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// isSignIn reports whether an event counts towards the sign-in fraction
// (SPEC section 3's set of sign-in events).
func isSignIn(source, name string) bool {
	switch source {
	case "signin.amazonaws.com", "sso.amazonaws.com":
		return true
	case "iam.amazonaws.com":
		switch name {
		case "ChangePassword", "CreateLoginProfile", "UpdateLoginProfile", "DeleteLoginProfile",
			"EnableMFADevice", "DeactivateMFADevice", "DeleteVirtualMFADevice", "CreateVirtualMFADevice":
			return true
		}
	}
	return false
}
