// Package ruleset loads Sigma rule files — detection rules, meta filters and
// correlation rules, from the embedded catalog and from the user's files and
// directories — into one compiled, validated set.
package ruleset

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/signwatch/signwatch/internal/correlate"
	"github.com/signwatch/signwatch/internal/sigma"
)

// Options says where rules come from and how they are compiled.
type Options struct {
	Paths         []string // rule files or directories, added to the built-ins
	Builtin       fs.FS    // the embedded catalog; nil for none
	Placeholders  map[string][]string
	FieldMappings map[string][]string
	EnrichFields  []string
	Correlation   correlate.Config
	Tuning        Tuning
	// BuiltinOmitted is the built-in catalog when it is left out of a set
	// loaded under a configuration written for the whole catalog (a scan
	// with --no-builtin, `signwatch rules validate PATH --config`): tuning
	// entries naming its rules, and allow-lists for them alone, do not
	// apply, instead of failing the load. Ignored when Builtin is set.
	BuiltinOmitted fs.FS
	// SkipTests leaves out the tests that rule files carry and the side-car
	// test files (Set.Tests stays empty): a scan has no use for them, and
	// turning their events into JSON was a fifth of a scan's start-up.
	// `signwatch rules validate` and `test` read them.
	SkipTests bool
}

// Set is a loaded and compiled rule set.
type Set struct {
	Rules        []*sigma.Rule
	Filters      []*sigma.Filter
	Correlations []*correlate.Rule
	Engine       *sigma.Engine
	Files        []string // every rule file read, in load order
	Tests        []*TestSuite

	corrConfig correlate.Config
	referenced map[string]bool // ids of base rules some correlation uses
	generated  map[string]bool // ids of referenced base rules with generate: true
}

// LoadError collects every problem found while loading; each names its file
// and, where known, line and column.
type LoadError struct{ Errs []error }

func (e *LoadError) Error() string {
	msgs := make([]string, 0, len(e.Errs))
	for _, err := range e.Errs {
		msgs = append(msgs, err.Error())
	}
	return strings.Join(msgs, "\n")
}

// Unwrap returns the collected errors.
func (e *LoadError) Unwrap() []error { return e.Errs }

// Load reads, parses and compiles rules. When any file has an error it
// returns a *LoadError listing all of them (and no set): a rule set that
// silently lost a rule would be a blind spot. Files are parsed on all
// available cores (YAML parsing is most of a scan's start-up) and added in
// load order, so the set and its errors do not depend on scheduling.
func Load(opt Options) (*Set, error) {
	s := &Set{corrConfig: opt.Correlation}
	var files []ruleFile
	add := func(name string, data []byte) { files = append(files, ruleFile{name: name, data: data}) }
	if opt.Builtin != nil {
		if err := walkFS(opt.Builtin, add); err != nil {
			files = append(files, ruleFile{err: fmt.Errorf("built-in rules: %w", err)})
		}
	}
	for _, p := range opt.Paths {
		if err := walkPath(p, add); err != nil {
			files = append(files, ruleFile{err: err})
		}
	}
	parseFiles(files, sigma.ParseOptions{Placeholders: opt.Placeholders}, opt.SkipTests)
	var errs []error
	for i := range files {
		f := &files[i]
		if f.err != nil {
			errs = append(errs, f.err)
			continue
		}
		s.Files = append(s.Files, f.name)
		s.Rules = append(s.Rules, f.rules...)
		s.Filters = append(s.Filters, f.filters...)
		s.Correlations = append(s.Correlations, f.correlations...)
		s.Tests = append(s.Tests, f.tests...)
		errs = append(errs, f.errs...)
	}
	if len(errs) == 0 {
		// The omitted catalog is read only if a tuning entry names a rule
		// that is not loaded.
		var refs map[string]bool
		omitted := func(ref string) bool {
			if opt.Builtin != nil || opt.BuiltinOmitted == nil {
				return false
			}
			if refs == nil {
				refs = catalogRefs(opt.BuiltinOmitted, opt.Placeholders)
			}
			return refs[ref]
		}
		errs = append(errs, s.tune(opt.Tuning, omitted)...)
	}
	if len(errs) == 0 {
		errs = append(errs, s.compile(opt)...)
	}
	if len(errs) > 0 {
		return nil, &LoadError{errs}
	}
	return s, nil
}

// ruleFile is one file read by Load and what parsing it gave, or an error
// of the walk in its place among the files.
type ruleFile struct {
	name string
	data []byte
	err  error

	rules        []*sigma.Rule
	filters      []*sigma.Filter
	correlations []*correlate.Rule
	tests        []*TestSuite
	errs         []error
}

// parseFiles parses every file on all available cores.
func parseFiles(files []ruleFile, popt sigma.ParseOptions, skipTests bool) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(files)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(files); i = int(next.Add(1) - 1) {
				if f := &files[i]; f.err == nil {
					f.parse(popt, skipTests)
				}
			}
		})
	}
	wg.Wait()
}

// parse parses one file: a side-car test file, or rule documents and the
// tests they carry (unless skipTests).
func (f *ruleFile) parse(popt sigma.ParseOptions, skipTests bool) {
	if IsTestFile(f.name) {
		if skipTests {
			return
		}
		ts, err := ParseTestFile(f.name, f.data)
		if err != nil {
			f.errs = append(f.errs, err)
			return
		}
		f.tests = append(f.tests, ts)
		return
	}
	docs, errs := sigma.LoadDocuments(f.name, f.data)
	f.errs = errs
	for _, d := range docs {
		var err error
		switch d.Kind {
		case sigma.KindRule:
			var r *sigma.Rule
			if r, err = sigma.ParseRule(d, popt); err == nil {
				f.rules = append(f.rules, r)
			}
		case sigma.KindFilter:
			var fl *sigma.Filter
			if fl, err = sigma.ParseFilter(d, popt); err == nil {
				f.filters = append(f.filters, fl)
			}
		case sigma.KindCorrelation:
			var c *correlate.Rule
			if c, err = correlate.Parse(d); err == nil {
				f.correlations = append(f.correlations, c)
			}
		}
		if err != nil {
			f.errs = append(f.errs, err)
			continue
		}
		if skipTests {
			continue
		}
		ts, terr := parseEmbeddedTests(d)
		if terr != nil {
			f.errs = append(f.errs, terr)
		} else if ts != nil {
			f.tests = append(f.tests, ts)
		}
	}
}

// tune applies the configuration's tuning: allow-lists become meta filters
// on the built-in rules, thresholds, windows and levels change in place.
// omitted reports the ids and names of the built-in rules left out of the
// set, whose tuning does not apply.
func (s *Set) tune(t Tuning, omitted func(ref string) bool) []error {
	var builtin []string
	loaded := map[string]bool{}
	for _, r := range s.Rules {
		if strings.HasPrefix(r.File, "builtin:") && r.ID != "" {
			builtin = append(builtin, r.ID)
		}
		loaded[r.ID], loaded[r.Name] = true, true
	}
	delete(loaded, "") // a rule without a name is not "the rule named ''"
	fs, err := t.filters(builtin, func(ref string) bool { return loaded[ref] })
	if err != nil {
		return []error{err}
	}
	s.Filters = append(s.Filters, fs...)
	return t.apply(s, omitted)
}

// catalogRefs returns the ids and names of the rules and correlations of a
// rule catalog (an unreadable catalog gives none, not nil: the tuning that
// names its rules is then reported as naming no loaded rule, as without it).
func catalogRefs(fsys fs.FS, placeholders map[string][]string) map[string]bool {
	var files []ruleFile
	if walkFS(fsys, func(name string, data []byte) { files = append(files, ruleFile{name: name, data: data}) }) != nil {
		return map[string]bool{}
	}
	parseFiles(files, sigma.ParseOptions{Placeholders: placeholders}, true)
	refs := map[string]bool{}
	for _, f := range files {
		for _, r := range f.rules {
			refs[r.ID], refs[r.Name] = true, true
		}
		for _, c := range f.correlations {
			refs[c.ID], refs[c.Name] = true, true
		}
	}
	delete(refs, "")
	return refs
}

func (s *Set) compile(opt Options) []error {
	// An id or a name stands for one rule or correlation wherever it is
	// used (tests, tuning, filters, correlations): a second one would be
	// tested, tuned or correlated in place of the first, or besides it.
	var errs []error
	seen := map[string]string{}
	claim := func(kind, v, file string, line int) {
		if v == "" {
			return
		}
		if prev, dup := seen[kind+" "+v]; dup {
			errs = append(errs, fmt.Errorf("%s:%d: rule %s %s already used by %s", file, line, kind, v, prev))
			return
		}
		seen[kind+" "+v] = fmt.Sprintf("%s:%d", file, line)
	}
	for _, r := range s.Rules {
		claim("id", r.ID, r.File, r.Line)
		claim("name", r.Name, r.File, r.Line)
	}
	for _, c := range s.Correlations {
		claim("id", c.ID, c.File, c.Line)
		claim("name", c.Name, c.File, c.Line)
	}
	if len(errs) > 0 {
		return errs // sigma.Compile would report the same duplicate ids again
	}
	eng, err := sigma.Compile(s.Rules, s.Filters, sigma.CompileOptions{
		FieldMappings: opt.FieldMappings,
		EnrichFields:  opt.EnrichFields,
		Product:       "aws",
		Service:       "cloudtrail",
	})
	if err != nil {
		return append(errs, err)
	}
	s.Engine = eng
	if _, err := s.NewCorrelator(); err != nil {
		errs = append(errs, err)
	}
	s.referenced, s.generated = map[string]bool{}, map[string]bool{}
	byName := map[string]string{}
	for _, r := range s.Rules {
		if r.Name != "" {
			byName[r.Name] = key(r.Meta)
		}
	}
	for _, c := range s.Correlations {
		if c.Name != "" {
			byName[c.Name] = key(c.Meta)
		}
	}
	for _, c := range s.Correlations {
		for _, ref := range c.Rules {
			id := ref
			if v, ok := byName[ref]; ok {
				id = v
			}
			s.referenced[id] = true
			if c.Generate {
				s.generated[id] = true
			}
		}
	}
	return errs
}

// Bases lists the detection rules as correlation inputs.
func (s *Set) Bases() []correlate.Base {
	bases := make([]correlate.Base, 0, len(s.Rules))
	for _, r := range s.Rules {
		bases = append(bases, correlate.Base{ID: r.ID, Name: r.Name})
	}
	return bases
}

// NewCorrelator returns a fresh correlation engine for the set's correlation
// rules, or nil when there are none.
func (s *Set) NewCorrelator() (*correlate.Engine, error) {
	if len(s.Correlations) == 0 {
		return nil, nil
	}
	return correlate.New(s.Correlations, s.Bases(), s.corrConfig)
}

// key identifies a rule for the correlation engine: its id, or its name
// when it has no id.
func key(m sigma.Meta) string {
	if m.ID != "" {
		return m.ID
	}
	return m.Name
}

// Key is the identity under which a rule's matches and alerts are tracked:
// its id, or its name when it has none.
func Key(m sigma.Meta) string { return key(m) }

// Referenced reports whether a correlation uses the detection rule id.
func (s *Set) Referenced(id string) bool { return s.referenced[id] }

// Reported reports whether a match of rule id (a detection rule, or a
// correlation that feeds another correlation) is an alert of its own: true
// unless a correlation uses the rule and none of the correlations using it
// says `generate: true` (Sigma correlation specification).
func (s *Set) Reported(id string) bool { return !s.referenced[id] || s.generated[id] }

func isRuleFile(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yml" || ext == ".yaml"
}

func walkFS(fsys fs.FS, add func(string, []byte)) error {
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !isRuleFile(p) {
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		add("builtin:"+p, data)
		return nil
	})
}

// walkPath adds a rule file, or every .yml/.yaml file below a directory in
// lexical order of their paths. Symbolic links are followed, the root's and
// those to directories inside the tree too (a rule tree often links in a
// shared rule pack; skipping one would lose its rules without a word); a
// link back to a directory being walked is an error, not a loop. A rule
// file that is not a regular file (a FIFO would block the load) is an error.
func walkPath(root string, add func(string, []byte)) error {
	info, err := os.Stat(root)
	if err != nil {
		return fmt.Errorf("rules %s: %w", root, err)
	}
	if !info.IsDir() {
		data, err := os.ReadFile(root)
		if err != nil {
			return fmt.Errorf("rules: %w", err)
		}
		add(root, data)
		return nil
	}
	var files []string
	var errs []error
	walkDir(root, []os.FileInfo{info}, &files, &errs)
	sort.Strings(files)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			errs = append(errs, fmt.Errorf("rules: %w", err))
			continue
		}
		add(f, data)
	}
	return errors.Join(errs...)
}

// walkDir lists the rule files below dir; parents are the directories
// being walked, dir's included, to tell a symbolic link loop.
func walkDir(dir string, parents []os.FileInfo, files *[]string, errs *[]error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("rules %s: %w", dir, err))
		return
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		mode := e.Type()
		var info os.FileInfo
		if mode&fs.ModeSymlink != 0 || mode.IsDir() {
			if info, err = os.Stat(p); err != nil {
				if isRuleFile(p) || mode.IsDir() {
					*errs = append(*errs, fmt.Errorf("rules: %w", err))
				}
				continue
			}
			mode = info.Mode().Type()
		}
		switch {
		case mode.IsDir():
			if slices.ContainsFunc(parents, func(fi os.FileInfo) bool { return os.SameFile(fi, info) }) {
				*errs = append(*errs, fmt.Errorf("rules %s: a symbolic link back to a directory it is in", p))
				continue
			}
			walkDir(p, append(parents[:len(parents):len(parents)], info), files, errs)
		case !isRuleFile(p):
		case !mode.IsRegular():
			*errs = append(*errs, fmt.Errorf("rules %s: not a regular file", p))
		default:
			*files = append(*files, p)
		}
	}
}
