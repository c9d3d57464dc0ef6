package gen

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// The world is the cast the events are about: an organisation of accounts,
// its people, workloads and Identity Center, built once from the seed.

var (
	regionPool = []string{"us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1",
		"eu-north-1", "ap-southeast-2", "ap-northeast-1", "ap-south-1", "ca-central-1", "sa-east-1"}
	firstNames = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan",
		"judy", "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter",
		"anaya", "paulo", "mary", "akira", "fatima", "lucas", "sofia", "mateo", "yuki", "chen", "priya",
		"omar", "ingrid", "kwame", "leila", "dmitri", "amara", "tomas", "noor", "jonas", "elena"}
	lastNames = []string{"smith", "garcia", "muller", "rossi", "tanaka", "kim", "nguyen", "silva",
		"johnson", "dubois", "kowalski", "okafor", "haddad", "larsen", "novak", "patel", "reyes",
		"schmidt", "cohen", "fischer", "moreau", "ito", "wang", "singh", "brown"}
	serviceUsers = []string{"ci-deployer", "terraform", "backup-agent", "github-actions", "datadog-integration",
		"log-shipper", "jenkins", "billing-reader", "snowflake-loader", "monitoring"}
	appRoleNames = []string{"payments-api", "orders-worker", "ingest-pipeline", "reporting-etl", "web-frontend",
		"search-indexer", "auth-service", "notification-sender", "ml-training", "image-resizer", "billing-sync"}
	permissionSets = []string{"AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess", "ViewOnlyAccess",
		"DeveloperAccess", "BillingAccess", "SecurityAudit", "DataScientist"}
	emailDomains = []string{"example.com", "example.org", "corp.example.net"}
)

type account struct {
	id, frag   string // frag: the account fragment inside key ids
	alias      string
	regions    []string // regions[0] is the home region
	users      []*principal
	consoleIAM []*principal // users who sign in to the console
	apps       []*principal // AssumedRole sessions of workloads (SDK)
	instances  []*principal // EC2 instance-role sessions (session name i-...)
	lambdas    []*principal
	admins     []*principal // cross-account admin roles users switch into
	ssoRoles   []ssoRole
	samlRole   string
	samlRoleID string
	buckets    []string
	kmsKeys    []string
	tables     []string
	queues     []string
	functions  []string
	secrets    []string
	vpc        string
	vpce       string
	subnets    []string
	sgs        []string
	weight     int
}

type ssoRole struct {
	set, roleName, roleID string
}

// principal is one actor; kind selects the userIdentity shape.
type principal struct {
	kind        string // IAMUser, AssumedRole, Root, FederatedUser, AWSService
	acct        *account
	name        string // user name, role name, or service principal
	session     string // AssumedRole session name
	principalID string
	roleID      string
	accessKey   string // long-term key of an IAM user
	mfa         bool
	mfaType     string
	ip          string
	ua          string // SDK/CLI user agent
	browser     string
	human       bool
	instanceID  string
}

func (p *principal) arn() string {
	switch p.kind {
	case "IAMUser":
		return "arn:aws:iam::" + p.acct.id + ":user/" + p.name
	case "AssumedRole":
		return "arn:aws:sts::" + p.acct.id + ":assumed-role/" + p.name + "/" + p.session
	case "Root":
		return "arn:aws:iam::" + p.acct.id + ":root"
	case "FederatedUser":
		return "arn:aws:sts::" + p.acct.id + ":federated-user/" + p.session
	}
	return ""
}

// ssoUser is an Identity Center user of the organisation.
type ssoUser struct {
	email, userID, credID string
	ip, browser, cli      string
	accounts              []*account
	typoRate              float64
}

type world struct {
	accounts  []*account
	acctPick  weighted
	mgmt      *account // Identity Center lives here
	icRegion  string
	storeID   string
	ssoUsers  []*ssoUser
	brokerIPs []string
	officeIPs []string
}

func buildWorld(r *rand.Rand, n int) *world {
	w := &world{icRegion: "us-east-1", storeID: "d-" + hexStr(r, 10)}
	for i := 0; i < 4; i++ {
		w.officeIPs = append(w.officeIPs, publicIP(r))
	}
	w.brokerIPs = []string{publicIP(r), publicIP(r)}
	ws := make([]int, n)
	for i := 0; i < n; i++ {
		a := buildAccount(r, w, i)
		w.accounts = append(w.accounts, a)
		ws[i] = a.weight
	}
	w.mgmt = w.accounts[0]
	w.acctPick = newWeighted(ws)
	nsso := 8 + 3*n
	for i := 0; i < nsso; i++ {
		w.ssoUsers = append(w.ssoUsers, buildSSOUser(r, w))
	}
	return w
}

func buildAccount(r *rand.Rand, w *world, i int) *account {
	a := &account{id: fmt.Sprintf("%012d", 100000000000+r.Int64N(899999999999)), weight: 1 + r.IntN(12)}
	a.frag = randFrom(r, base32Key, 4)
	a.alias = pick(r, []string{"prod", "staging", "dev", "sandbox", "shared", "data", "security", "logs"}) + fmt.Sprintf("-%d", i)
	a.regions = []string{pick(r, []string{"us-east-1", "us-east-1", "eu-west-1", "us-west-2", "eu-central-1"})}
	for j := r.IntN(3); j > 0; j-- {
		a.regions = append(a.regions, pick(r, regionPool))
	}
	a.vpc = "vpc-0" + hexStr(r, 16)
	a.vpce = "vpce-0" + hexStr(r, 16)
	for j := 0; j < 3; j++ {
		a.subnets = append(a.subnets, "subnet-0"+hexStr(r, 16))
		a.sgs = append(a.sgs, "sg-0"+hexStr(r, 16))
	}
	for j := 0; j < 3+r.IntN(5); j++ {
		a.buckets = append(a.buckets, pick(r, []string{"assets", "logs", "backups", "uploads", "data-lake", "artifacts", "reports"})+"-"+a.alias+"-"+hexStr(r, 6))
		a.kmsKeys = append(a.kmsKeys, uuid(r))
		a.tables = append(a.tables, pick(r, []string{"orders", "sessions", "customers", "events", "inventory", "ledger"})+"-"+a.alias)
		a.queues = append(a.queues, pick(r, appRoleNames)+"-queue")
		a.functions = append(a.functions, pick(r, appRoleNames)+"-"+pick(r, []string{"handler", "processor", "cron", "webhook"}))
		a.secrets = append(a.secrets, a.alias+"/"+pick(r, []string{"db", "api", "stripe", "smtp", "jwt"})+"/"+pick(r, []string{"password", "key", "token"}))
	}
	addUsers(r, w, a)
	addWorkloads(r, a)
	for _, ps := range permissionSets[:3+r.IntN(len(permissionSets)-3)] {
		a.ssoRoles = append(a.ssoRoles, ssoRole{set: ps, roleName: "AWSReservedSSO_" + ps + "_" + hexStr(r, 16), roleID: uniqueID(r, "AROA", a.frag)})
	}
	a.samlRole = pick(r, []string{"OktaAdmin", "OktaDeveloper", "AzureAD-Engineers", "ADFS-Operators"})
	a.samlRoleID = uniqueID(r, "AROA", a.frag)
	return a
}

func addUsers(r *rand.Rand, w *world, a *account) {
	for j := 0; j < 3+r.IntN(8); j++ {
		human := j%3 != 2
		name := pick(r, serviceUsers)
		if human {
			name = pick(r, firstNames) + "." + pick(r, lastNames)
		}
		p := &principal{kind: "IAMUser", acct: a, name: name, human: human,
			principalID: uniqueID(r, "AIDA", a.frag), accessKey: accessKey(r, "AKIA", a.frag),
			ua: sdkUA(r), browser: browserUA(r)}
		p.ip = publicIP(r)
		if human && chance(r, 0.3) {
			p.ip = pick(r, w.officeIPs)
		}
		if human {
			p.mfa = chance(r, 0.8)
			p.mfaType = pick(r, []string{"Virtual MFA", "Virtual MFA", "U2F MFA", "Multiple MFA Devices"})
			a.consoleIAM = append(a.consoleIAM, p)
		}
		a.users = append(a.users, p)
	}
}

func addWorkloads(r *rand.Rand, a *account) {
	for j := 0; j < 2+r.IntN(4); j++ {
		role := pick(r, appRoleNames)
		a.apps = append(a.apps, &principal{kind: "AssumedRole", acct: a, name: role, roleID: uniqueID(r, "AROA", a.frag),
			session: pick(r, []string{"botocore-session-", "aws-go-sdk-", "aws-sdk-java-", "aws-sdk-js-"}) + fmt.Sprint(1700000000000+r.Int64N(99999999999)),
			ip:      pick(r, []string{publicIP(r), privateIP(r)}), ua: sdkUA(r)})
	}
	for j := 0; j < 3+r.IntN(10); j++ {
		role := pick(r, appRoleNames) + "-ec2"
		id := "i-0" + hexStr(r, 16)
		a.instances = append(a.instances, &principal{kind: "AssumedRole", acct: a, name: role, roleID: uniqueID(r, "AROA", a.frag),
			session: id, instanceID: id, ip: publicIP(r), ua: instanceUA(r)})
	}
	for _, fn := range a.functions[:1+r.IntN(len(a.functions))] {
		a.lambdas = append(a.lambdas, &principal{kind: "AssumedRole", acct: a, name: fn + "-role-" + randFrom(r, "abcdefghijklmnopqrstuvwxyz0123456789", 8),
			roleID: uniqueID(r, "AROA", a.frag), session: fn, ip: publicIP(r), ua: lambdaUA(r)})
	}
	for _, name := range []string{"OrganizationAccountAccessRole", "Admin", "ReadOnly"} {
		a.admins = append(a.admins, &principal{kind: "AssumedRole", acct: a, name: name, roleID: uniqueID(r, "AROA", a.frag)})
	}
}

func buildSSOUser(r *rand.Rand, w *world) *ssoUser {
	u := &ssoUser{email: pick(r, firstNames) + "." + pick(r, lastNames) + "@" + pick(r, emailDomains),
		userID: hexStr(r, 8) + "-" + hexStr(r, 4) + "-" + hexStr(r, 4) + "-" + hexStr(r, 4) + "-" + hexStr(r, 12),
		credID: randFrom(r, mixedAlnum, 22), browser: browserUA(r), cli: cliUA(r), typoRate: 0.04 + 0.1*r.Float64()}
	u.ip = publicIP(r)
	if chance(r, 0.3) {
		u.ip = pick(r, w.officeIPs)
	}
	for i := 1 + r.IntN(4); i > 0; i-- {
		u.accounts = append(u.accounts, w.accounts[r.IntN(len(w.accounts))])
	}
	return u
}

// publicIP returns an address in ranges commonly seen as ISP or cloud space.
func publicIP(r *rand.Rand) string {
	first := pick(r, []int{3, 13, 18, 24, 34, 44, 52, 54, 63, 66, 67, 68, 71, 73, 76, 81, 82, 84, 86, 88, 91, 95, 98, 104, 107, 109, 136, 141, 151, 176, 185, 188, 193, 195, 203, 212, 217})
	return fmt.Sprintf("%d.%d.%d.%d", first, r.IntN(256), r.IntN(256), 1+r.IntN(254))
}

func privateIP(r *rand.Rand) string {
	return fmt.Sprintf("10.%d.%d.%d", r.IntN(256), r.IntN(256), 1+r.IntN(254))
}

func browserUA(r *rand.Rand) string {
	chrome := fmt.Sprintf("%d.0.0.0", 118+r.IntN(14))
	switch r.IntN(6) {
	case 0:
		return "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + chrome + " Safari/537.36"
	case 1:
		return "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + chrome + " Safari/537.36"
	case 2:
		v := 115 + r.IntN(20)
		return fmt.Sprintf("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:%d.0) Gecko/20100101 Firefox/%d.0", v, v)
	case 3:
		return fmt.Sprintf("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.%d Safari/605.1.15", r.IntN(6))
	case 4:
		return "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + chrome + " Safari/537.36 Edg/" + chrome
	}
	v := 115 + r.IntN(20)
	return fmt.Sprintf("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:%d.0) Gecko/20100101 Firefox/%d.0", v, v)
}

func cliUA(r *rand.Rand) string {
	return fmt.Sprintf("aws-cli/2.%d.%d md/awscrt#0.19.%d ua/2.0 os/%s md/arch#x86_64 lang/python#3.11.%d md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#%s",
		13+r.IntN(10), r.IntN(40), r.IntN(20), pick(r, []string{"linux#6.5.0-1018-aws", "macos#23.4.0", "windows#10"}), r.IntN(9),
		pick(r, []string{"s3.ls", "sts.get-caller-identity", "ec2.describe-instances", "logs.tail", "s3.cp", "sso.login"}))
}

func sdkUA(r *rand.Rand) string {
	switch r.IntN(6) {
	case 0:
		return cliUA(r)
	case 1:
		return fmt.Sprintf("Boto3/1.34.%d md/Botocore#1.34.%d ua/2.0 os/linux#5.10.210-201.852.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.%d md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.%d", r.IntN(90), r.IntN(90), r.IntN(9), r.IntN(90))
	case 2:
		return fmt.Sprintf("aws-sdk-go-v2/1.%d.%d os/linux lang/go#1.22.%d md/GOOS#linux md/GOARCH#amd64 api/s3#1.%d.0", 24+r.IntN(8), r.IntN(20), r.IntN(8), 40+r.IntN(20))
	case 3:
		return fmt.Sprintf("APN/1.0 HashiCorp/1.0 Terraform/1.%d.%d (+https://www.terraform.io) terraform-provider-aws/5.%d.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.%d.0 os/linux lang/go#1.22.%d md/GOOS#linux md/GOARCH#amd64 api/ec2#1.%d.0", 6+r.IntN(4), r.IntN(6), 30+r.IntN(40), 24+r.IntN(6), r.IntN(8), 140+r.IntN(30))
	case 4:
		return fmt.Sprintf("aws-sdk-java/2.25.%d Linux/5.10.214-202.855.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.%d+7-LTS Java/17.0.%d vendor/Amazon.com_Inc. md/internal io/sync http/Apache cfg/retry-mode/legacy", r.IntN(60), r.IntN(12), r.IntN(12))
	}
	return fmt.Sprintf("aws-sdk-js/3.%d.0 ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 lang/js md/nodejs#20.%d.0 api/dynamodb#3.%d.0", 500+r.IntN(100), r.IntN(12), 500+r.IntN(100))
}

func instanceUA(r *rand.Rand) string {
	if chance(r, 0.4) {
		return fmt.Sprintf("aws-sdk-go/1.44.%d (go1.21.%d; linux; amd64) amazon-ssm-agent/3.3.%d.0", 200+r.IntN(100), r.IntN(9), 100+r.IntN(900))
	}
	return sdkUA(r)
}

func lambdaUA(r *rand.Rand) string {
	return fmt.Sprintf("Boto3/1.34.%d md/Botocore#1.34.%d ua/2.0 os/linux#5.10.219-229.866.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.%d md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.%d", r.IntN(90), r.IntN(90), r.IntN(5), r.IntN(90))
}

// consoleUA is what the console itself reports for API calls a browser
// session makes through AWS's console backends.
func consoleUA(r *rand.Rand, browser string) string {
	switch r.IntN(4) {
	case 0:
		return "AWS Internal"
	case 1:
		return "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.6" + fmt.Sprint(10+r.IntN(80)) + " Linux/5.10.218-186.862.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/25.412-b09 java/1.8.0_412 vendor/Oracle_Corporation cfg/retry-mode/standard]"
	}
	return browser
}

func loginTo(r *rand.Rand, region string) string {
	svc := pick(r, []string{"console/home", "ec2/home", "s3/home", "iam/home", "cloudwatch/home", "billing/home", "lambda/home"})
	return "https://" + region + ".console.aws.amazon.com/" + svc + "?region=" + region + "&state=hashArgs%23&isauthcode=true"
}

func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
