//go:build unix

package ruleset_test

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/signwatch/signwatch/internal/ruleset"
)

// Symbolic links are followed: a rules path that is a link to a directory,
// and a link to a directory inside the tree, contribute their rules (both
// used to be skipped without a word). A link back to a directory being
// walked is an error, not a loop.
func TestWalkFollowsSymlinks(t *testing.T) {
	second := strings.Replace(strings.Replace(loginRule, "11111111-1111-4111-8111-111111111111", "33333333-3333-4333-8333-333333333333", 1), "name: console_login", "name: second", 1)
	base := t.TempDir()
	pack := filepath.Join(base, "pack")
	tree := filepath.Join(base, "tree")
	for _, d := range []string{pack, tree} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(pack, "second.yml"), []byte(second), 0o600))
	must(os.WriteFile(filepath.Join(tree, "login.yml"), []byte(loginRule), 0o600))
	must(os.Symlink(pack, filepath.Join(tree, "vendor")))
	link := filepath.Join(base, "link")
	must(os.Symlink(tree, link))

	for _, root := range []string{tree, link} {
		set, err := ruleset.Load(ruleset.Options{Paths: []string{root}})
		if err != nil {
			t.Fatalf("%s: %v", root, err)
		}
		want := []string{filepath.Join(root, "login.yml"), filepath.Join(root, "vendor", "second.yml")}
		if len(set.Rules) != 2 || strings.Join(set.Files, " ") != strings.Join(want, " ") {
			t.Errorf("%s: %d rules from %v, want 2 from %v", root, len(set.Rules), set.Files, want)
		}
	}

	must(os.Symlink(tree, filepath.Join(pack, "back")))
	_, err := ruleset.Load(ruleset.Options{Paths: []string{tree}})
	if err == nil || !strings.Contains(err.Error(), filepath.Join(tree, "vendor", "back")+": a symbolic link back") {
		t.Errorf("loop to the root: got %v", err)
	}
	// A loop through a directory between the root and the link.
	must(os.Remove(filepath.Join(pack, "back")))
	deep := filepath.Join(tree, "sub", "deeper")
	must(os.MkdirAll(deep, 0o700))
	must(os.Symlink(filepath.Join(tree, "sub"), filepath.Join(deep, "up")))
	_, err = ruleset.Load(ruleset.Options{Paths: []string{tree}})
	if err == nil || !strings.Contains(err.Error(), filepath.Join(deep, "up")+": a symbolic link back") {
		t.Errorf("loop to an inner directory: got %v", err)
	}
}

// A directory that cannot be listed is an error naming it (as root every
// directory can be listed, so the test is skipped there).
func TestWalkUnlistableDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root lists every directory")
	}
	dir := writeRules(t, map[string]string{"login.yml": loginRule})
	locked := filepath.Join(dir, "locked")
	if err := os.Mkdir(locked, 0o000); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(locked, 0o700)
	_, err := ruleset.Load(ruleset.Options{Paths: []string{dir}})
	if err == nil || !strings.Contains(err.Error(), locked) {
		t.Errorf("got %v, want an error naming %s", err, locked)
	}
}

// A rule file name that is not a readable regular file — a dangling link,
// a FIFO (which would block the load) — is an error naming it.
func TestWalkIrregularRuleFiles(t *testing.T) {
	for name, make := range map[string]func(p string) error{
		"dangling link": func(p string) error { return os.Symlink(filepath.Join(filepath.Dir(p), "nowhere.yml"), p) },
		"fifo":          func(p string) error { return syscall.Mkfifo(p, 0o600) },
	} {
		dir := writeRules(t, map[string]string{"login.yml": loginRule})
		p := filepath.Join(dir, "odd.yml")
		if err := make(p); err != nil {
			t.Fatal(err)
		}
		_, err := ruleset.Load(ruleset.Options{Paths: []string{dir}})
		if err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: got %v, want an error naming %s", name, err, p)
		}
	}
}

// A rules path naming a file that cannot be read (here a socket) is an
// error naming it.
func TestWalkUnreadableFilePath(t *testing.T) {
	p := filepath.Join(t.TempDir(), "rules.yml")
	l, err := net.Listen("unix", p)
	if err != nil {
		t.Skipf("no unix socket: %v", err)
	}
	defer l.Close()
	_, err = ruleset.Load(ruleset.Options{Paths: []string{p}})
	if err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("got %v, want an error naming %s", err, p)
	}
}
