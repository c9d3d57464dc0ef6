package gen

import (
	"strings"
	"time"
)

// actor kinds for API calls, with their weights in the mix.
const (
	akInstance = iota
	akApp
	akLambda
	akService
	akIAMUser
	akSSOConsole
	akSSOCLI
	akSAMLConsole
	akFederated
	akRoot
	akCount
)

var (
	actorWeightsMix    = newWeighted([]int{240, 180, 100, 120, 120, 100, 60, 40, 6, 3})
	actorWeightsBenign = newWeighted([]int{240, 180, 100, 120, 120, 100, 60, 40, 0, 0})
	servicePrincipals  = []string{"cloudtrail.amazonaws.com", "config.amazonaws.com", "lambda.amazonaws.com",
		"ec2.amazonaws.com", "autoscaling.amazonaws.com", "elasticloadbalancing.amazonaws.com", "ecs-tasks.amazonaws.com",
		"guardduty.amazonaws.com", "inspector2.amazonaws.com", "ssm.amazonaws.com", "access-analyzer.amazonaws.com",
		"backup.amazonaws.com", "logs.amazonaws.com", "events.amazonaws.com"}
)

// caller is who makes an API call and how.
type caller struct {
	kind    int
	who     identity
	ip, ua  string
	console bool
	human   bool
}

func (g *generator) pickAccount() *account {
	return g.w.accounts[g.w.acctPick.pick(g.r)]
}

func (g *generator) pickCaller(a *account) caller {
	wts := actorWeightsMix
	if g.benign {
		wts = actorWeightsBenign
	}
	switch k := wts.pick(g.r); k {
	case akInstance:
		p := pick(g.r, a.instances)
		return caller{kind: k, who: g.sessionOf(p, 6*time.Hour, identity{ec2Role: true}), ip: p.ip, ua: p.ua}
	case akApp:
		p := pick(g.r, a.apps)
		return caller{kind: k, who: g.sessionOf(p, time.Hour, identity{}), ip: p.ip, ua: p.ua}
	case akLambda:
		p := pick(g.r, a.lambdas)
		return caller{kind: k, who: g.sessionOf(p, 12*time.Hour, identity{}), ip: p.ip, ua: p.ua}
	case akService:
		svc := pick(g.r, servicePrincipals)
		return caller{kind: k, who: identity{invokedBy: svc}, ip: svc, ua: svc}
	case akIAMUser:
		p := pick(g.r, a.users)
		return caller{kind: k, who: identity{p: p, key: p.accessKey}, ip: p.ip, ua: p.ua, human: p.human}
	case akSSOConsole, akSSOCLI:
		return g.ssoCaller(a, k)
	case akSAMLConsole:
		u := pick(g.r, g.w.ssoUsers)
		p := &principal{kind: "AssumedRole", acct: a, name: a.samlRole, roleID: a.samlRoleID, session: u.email}
		return caller{kind: k, who: g.sessionOf(p, 8*time.Hour, identity{}), ip: u.ip, ua: consoleUA(g.r, u.browser), console: true, human: true}
	case akFederated:
		u := pick(g.r, a.users)
		p := &principal{kind: "FederatedUser", acct: a, name: u.name, principalID: u.principalID, session: pick(g.r, firstNames[:8])}
		return caller{kind: k, who: g.sessionOf(p, 12*time.Hour, identity{}), ip: pick(g.r, g.w.brokerIPs), ua: u.ua, human: true}
	default:
		p := &principal{kind: "Root", acct: a}
		return caller{kind: akRoot, who: g.sessionOf(p, time.Hour, identity{mfaAuth: true}), ip: publicIP(g.r), ua: consoleUA(g.r, browserUA(g.r)), console: true, human: true}
	}
}

// session is a temporary credential reused by one principal's calls until
// it expires, as real sessions are.
type session struct {
	key            string
	created, until time.Time
}

// sessionOf returns id completed with p's current session (access key and
// creation date), starting a new one when the last expired.
func (g *generator) sessionOf(p *principal, life time.Duration, id identity) identity {
	name := p.acct.id + "/" + p.kind + "/" + p.name + "/" + p.session
	s := g.sessions[name]
	if s == nil || g.now.After(s.until) {
		created := g.now
		if s == nil { // sessions already running when the period starts
			created = g.sessionStart(life)
		}
		s = &session{key: g.sessionKey(p.acct), created: created, until: created.Add(life)}
		g.sessions[name] = s
	}
	id.p, id.key, id.created = p, s.key, s.created
	return id
}

func (g *generator) ssoCaller(a *account, k int) caller {
	u := pick(g.r, g.w.ssoUsers)
	p := g.ssoPrincipal(a, u)
	c := caller{kind: k, who: g.sessionOf(p, 8*time.Hour, identity{issuerArn: ssoIssuerArn(a, p.name, g.w.icRegion)}), ip: u.ip, human: true}
	if k == akSSOConsole {
		c.ua, c.console = consoleUA(g.r, u.browser), true
	} else {
		c.ua = u.cli
	}
	return c
}

// ssoPrincipal is the AWSReservedSSO_* role session of an Identity Center user.
func (g *generator) ssoPrincipal(a *account, u *ssoUser) *principal {
	r := a.ssoRoles[int(u.credID[0])%len(a.ssoRoles)] // each user has one permission set per account
	return &principal{kind: "AssumedRole", acct: a, name: r.roleName, roleID: r.roleID, session: u.email}
}

func ssoIssuerArn(a *account, roleName, icRegion string) string {
	return "arn:aws:iam::" + a.id + ":role/aws-reserved/sso.amazonaws.com/" + icRegion + "/" + roleName
}

func (g *generator) sessionKey(a *account) string { return accessKey(g.r, "ASIA", a.frag) }

func (g *generator) sessionStart(max time.Duration) time.Time {
	return g.now.Add(-time.Duration(g.r.Int64N(int64(max/time.Second)+1)) * time.Second)
}

// region picks the region an account's call lands in.
func (g *generator) region(a *account) string {
	if len(a.regions) == 1 || chance(g.r, 0.7) {
		return a.regions[0]
	}
	return pick(g.r, a.regions[1:])
}

// burst is a caller repeating one kind of call, as workloads and tools do
// (an S3 sync, a Terraform plan, a queue consumer).
type burst struct {
	a      *account
	c      caller
	t      *apiTemplate
	region string
	left   int
}

// apiEvent emits one ordinary API call.
func (g *generator) apiEvent() error {
	b := &g.burst
	if b.left <= 0 {
		g.newBurst()
	}
	b.left--
	a, c, t := b.a, b.c, b.t
	region := b.region
	e := &ev{t: g.jitter(), acct: a, region: region, source: t.source, name: t.name, who: c.who, ip: c.ip, ua: c.ua,
		readOnly: t.ro, data: t.data, fromConsole: c.console && c.who.p != nil && c.who.p.kind != "IAMUser"}
	if c.kind == akService {
		e.sharedEventID = chance(g.r, 0.5)
	} else {
		e.host = t.hostFor(region)
	}
	ctx := &callCtx{g: g, a: a, region: region, c: &c}
	t.build(ctx, e)
	if c.kind != akService && chance(g.r, 0.035) {
		g.fail(e, t)
	}
	return g.emit(e)
}

func (g *generator) newBurst() {
	a := g.pickAccount()
	c := g.pickCaller(a)
	var t *apiTemplate
	switch {
	case c.kind == akService:
		t = pickTemplate(g.r, servicePool)
	case c.human && c.kind != akIAMUser || c.kind == akIAMUser && chance(g.r, 0.5):
		t = pickTemplate(g.r, humanPool)
	default:
		t = pickTemplate(g.r, workloadPool)
	}
	region := g.region(a)
	if t.global {
		region = "us-east-1"
	}
	n := 1
	if chance(g.r, 0.6) {
		n += g.r.IntN(8)
	}
	g.burst = burst{a: a, c: c, t: t, region: region, left: n}
}

// jitter returns the current time moved back by up to a few seconds, as the
// events of one delivery file are not strictly ordered.
func (g *generator) jitter() time.Time {
	return g.now.Add(-time.Duration(g.r.IntN(4000)) * time.Millisecond).Truncate(time.Second)
}

func (g *generator) fail(e *ev, t *apiTemplate) {
	action := strings.TrimSuffix(t.source, ".amazonaws.com") + ":" + strings.TrimRight(t.name, "0123456789v")
	arn := "arn:aws:iam::" + e.acct.id + ":root"
	if e.who.p != nil {
		arn = e.who.p.arn()
	}
	switch {
	case len(t.errs) > 0 && chance(g.r, 0.5):
		e.errCode = pick(g.r, t.errs)
		e.errMsg = errorMessages[e.errCode]
	case t.source == "ec2.amazonaws.com":
		e.errCode = "Client.UnauthorizedOperation"
		e.errMsg = "You are not authorized to perform this operation. User: " + arn + " is not authorized to perform: " + action + " because no identity-based policy allows the " + action + " action. Encoded authorization failure message: " + randFrom(g.r, mixedAlnum+"-_", 420)
	case chance(g.r, 0.15):
		e.errCode = "ThrottlingException"
		e.errMsg = "Rate exceeded"
	default:
		e.errCode = "AccessDenied"
		if t.source != "s3.amazonaws.com" {
			e.errCode = "AccessDeniedException"
		}
		e.errMsg = "User: " + arn + " is not authorized to perform: " + action + " because no identity-based policy allows the " + action + " action"
	}
}

var errorMessages = map[string]string{
	"NoSuchKey":                 "The specified key does not exist.",
	"NoSuchBucketPolicy":        "The bucket policy does not exist",
	"ResourceNotFoundException": "Requested resource not found",
	"ParameterNotFound":         "",
	"ServerSideEncryptionConfigurationNotFoundError": "The server side encryption configuration was not found",
	"Client.InvalidInstanceID.NotFound":              "The instance ID does not exist",
	"NoSuchEntityException":                          "The role with name cannot be found.",
	"ConditionalCheckFailedException":                "The conditional request failed",
	"InvalidParameterException":                      "1 validation error detected",
	"ExpiredTokenException":                          "The security token included in the request is expired",
	"LimitExceededException":                         "Rate exceeded",
}
