package baseline

// Meta is a built-in detector's metadata, the same a Sigma rule carries, so
// that it is listed, filtered and alerted on like the rules.
type Meta struct {
	ID             string   `json:"id"` // a stable UUID
	Title          string   `json:"title"`
	Description    string   `json:"description"`
	Level          string   `json:"level"`  // Sigma level: informational, low, medium, high, critical
	Status         string   `json:"status"` // Sigma status: stable, test, experimental...
	Tags           []string `json:"tags"`   // Sigma tags (attack.*)
	References     []string `json:"references"`
	FalsePositives []string `json:"falsepositives"`
}

// NewCountryID is the stable id of the new-country detector.
const NewCountryID = "5c0e8a53-3d7e-4c1b-9f64-2b8d6e1f4a07"

// newCountryMeta returns a fresh copy (callers may modify slices).
func newCountryMeta() Meta {
	return Meta{
		ID:    NewCountryID,
		Title: "AWS Sign-In From A New Country For The Principal",
		Description: "A principal (IAM user, root, an Identity Center or federated user, an assumed-role " +
			"session) signed in successfully from a country not seen in its baseline. The baseline " +
			"is learnt per principal from its successful sign-ins; an account raises nothing during " +
			"its learning period. Stolen credentials are commonly used from the attacker's own " +
			"infrastructure, often in another country.",
		Level:  "medium",
		Status: "experimental",
		Tags: []string{
			"attack.initial_access", "attack.persistence", "attack.privilege_escalation",
			"attack.defense_evasion", "attack.t1078", "attack.t1078.004",
		},
		References: []string{
			"https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html",
			"https://attack.mitre.org/techniques/T1078/004/",
			"https://lite.ip2location.com",
		},
		FalsePositives: []string{
			"Travel, and roaming mobile connections",
			"A VPN, proxy or cloud desktop whose egress moves to another country",
			"IP-to-country data that is out of date or wrong for a range",
			"A new office or egress range not yet listed in trusted_cidrs",
		},
	}
}
