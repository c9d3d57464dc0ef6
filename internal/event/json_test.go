package event

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestParseAccess(t *testing.T) {
	src := `{"a":{"b":[1,"x\u00e9\n",true,null,{"c":"d"}]},"k\"q":"v","n":-1.5e3,"a":{"z":1}}`
	var d Doc
	if err := d.Parse([]byte(src)); err != nil {
		t.Fatal(err)
	}
	r := d.Root()
	if got := r.Get("a").Get("z").Str(); got != "1" {
		t.Errorf("duplicate key: last should win, got %q", got)
	}
	if got := r.Get(`k"q`).Str(); got != "v" {
		t.Errorf("escaped key: got %q", got)
	}
	if f, ok := r.Get("n").Float(); !ok || f != -1500 {
		t.Errorf("number: %v %v", f, ok)
	}
	if r.Get("missing").Exists() {
		t.Error("missing key exists")
	}
	if r.Len() != 4 {
		t.Errorf("len %d", r.Len())
	}
}

func TestGetDuplicateKeys(t *testing.T) {
	var d Doc
	// "ab" and "ab" collide; "a\u0062" is an escaped "ab".
	for _, src := range []string{`{"ab":1,"cd":2,"ab":3}`, `{"ab":1,"a\u0062":3}`, `{"x":0,"ab":1,"zz":2,"ab":3}`} {
		if err := d.Parse([]byte(src)); err != nil {
			t.Fatal(err)
		}
		if got := d.Root().Get("ab").Str(); got != "3" {
			t.Errorf("%s: Get(ab) = %s, want the last member", src, got)
		}
	}
}

func TestNestedIndex(t *testing.T) {
	var d Doc
	if err := d.Parse([]byte(`[1,"x\u00e9\n",true,null,{"c":"d"},[]]`)); err != nil {
		t.Fatal(err)
	}
	r := d.Root()
	if got := r.Index(1).Str(); got != "xé\n" {
		t.Errorf("unescape: %q", got)
	}
	if !r.Index(2).True() || r.Index(3).Kind() != Null {
		t.Error("literals")
	}
	if got := r.Index(4).Get("c").Str(); got != "d" {
		t.Errorf("nested: %q", got)
	}
	if r.Index(5).Kind() != Array || r.Index(6).Exists() {
		t.Error("bounds")
	}
	if string(r.Index(4).Raw()) != `{"c":"d"}` {
		t.Errorf("raw %s", r.Index(4).Raw())
	}
}

// TestAgreesWithStdlib checks validity decisions against encoding/json.
func TestAgreesWithStdlib(t *testing.T) {
	cases := []string{`{}`, `[]`, `{"a":}`, `{"a":1,}`, `[1,]`, `01`, `-`, `1.`, `1e`, `"\x"`, "\"\x01\"", `{"a" 1}`, `nul`, `[1 2]`, `"\ud800"`, ` 1 `, `{"a":[{"b":null}]}`, `tru`, `1 2`, `{"a":1}}`}
	for _, c := range cases {
		var d Doc
		err := d.Parse([]byte(c))
		if (err == nil) != json.Valid([]byte(c)) {
			t.Errorf("%q: our err=%v, stdlib valid=%v", c, err, json.Valid([]byte(c)))
		}
		_, serr := Skip([]byte(c), 0)
		if err == nil && serr != nil {
			t.Errorf("%q: Skip rejected valid input: %v", c, serr)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{`{"Records":[{"eventName":"ConsoleLogin"}]}`, `{"eventName":"A","event\u004eame":"B","eventID":"1","eventName":"C"}`, `[1,2,{"a":"\u00e9"}]`, `"x"`, `{"a":{"b":[null,true,false,-0.5e+7]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var d Doc
		err := d.Parse(data)
		valid := json.Valid(data)
		if (err == nil) != valid && err != ErrEmpty {
			t.Fatalf("disagree with encoding/json: err=%v valid=%v", err, valid)
		}
		end, serr := Skip(data, 0)
		if valid && (serr != nil || skipSpace(data, end) != len(data)) {
			t.Fatalf("Skip: %v end=%d", serr, end)
		}
		if err == nil {
			walk(d.Root())
			root := d.Root()
			root.Each(func(key string, _ Value) bool {
				if got, want := root.Get(key), linearGet(root, key); got != want {
					t.Fatalf("Get(%q) = node %d, scan finds node %d", key, got.i, want.i)
				}
				if got, want := root.GetKey(NewKey(key)), linearGet(root, key); got != want {
					t.Fatalf("GetKey(%q) = node %d, scan finds node %d", key, got.i, want.i)
				}
				return true
			})
			for _, key := range knownRootKeys {
				if got, want := root.GetKey(NewKey(key)), linearGet(root, key); got != want {
					t.Fatalf("GetKey(%q) = node %d, scan finds node %d", key, got.i, want.i)
				}
			}
		}
	})
}

func walk(v Value) {
	_ = v.Str()
	_, _ = v.Float()
	if v.Kind() == Object {
		// Get returns the last member of a key, with or without the
		// early exit for objects whose keys are distinct.
		last := map[string]int{}
		i := 0
		v.Each(func(k string, c Value) bool { last[k] = c.Offset(); i++; return true })
		keys := make([]string, 0, len(last)+1)
		for k, off := range last {
			if got := v.Get(k).Offset(); got != off {
				panic(fmt.Sprintf("Get(%q) at offset %d, want the last member at %d", k, got, off))
			}
			keys = append(keys, k)
		}
		// Fields agrees with Get, also for a key no member has.
		keys = append(keys, "absent-key")
		out := make([]Value, len(keys))
		v.Fields(NewKeys(keys...), out)
		for i, k := range keys {
			if got, want := out[i].Offset(), v.Get(k).Offset(); got != want {
				panic(fmt.Sprintf("Fields(%q) at offset %d, Get at %d", k, got, want))
			}
		}
	}
	v.Each(func(k string, c Value) bool { walk(c); return true })
	_ = v.Index(0)
	_ = v.GetFold("A")
}

func TestParseAtAndEachMember(t *testing.T) {
	data := []byte(`[{"a":1,"b\u0063":{"x":[1]}} , {"z":2}]`)
	var d Doc
	end, err := d.ParseAt(data, 1)
	if err != nil {
		t.Fatal(err)
	}
	if string(data[1:end]) != `{"a":1,"b\u0063":{"x":[1]}}` {
		t.Fatalf("end %d: %q", end, data[1:end])
	}
	var keys []string
	d.Root().EachMember(func(k []byte, v Value) bool { keys = append(keys, string(k)+"="+string(v.Raw())); return true })
	if len(keys) != 2 || keys[0] != "a=1" || keys[1] != `b\u0063={"x":[1]}` {
		t.Fatalf("members %q", keys)
	}
	if got := d.Root().Get("bc").Get("x").Index(0).Str(); got != "1" {
		t.Fatalf("nested access after ParseAt: %q", got)
	}
	if _, err := d.ParseAt([]byte(`[{"a":}]`), 1); err == nil {
		t.Fatal("invalid value accepted")
	}
}

// FuzzIsNumber holds IsNumber to encoding/json's grammar: a valid text,
// without surrounding space, that starts as only a number can.
func FuzzIsNumber(f *testing.F) {
	for _, s := range []string{"0", "-1.5e+3", "Inf", "0x10", "1_0", "+1", "01", "1.", ".1", "", "-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := json.Valid([]byte(s)) && strings.TrimSpace(s) == s && (s[0] == '-' || s[0] >= '0' && s[0] <= '9')
		if got := IsNumber([]byte(s)); got != want {
			t.Fatalf("IsNumber(%q) = %v, encoding/json says number=%v", s, got, want)
		}
	})
}

// TestDocRelease checks that a released Doc holds nothing of what it parsed
// and parses again as a new one.
func TestDocRelease(t *testing.T) {
	var d Doc
	if err := d.Parse([]byte(`{"eventName":"ConsoleLogin","a":{"b":1}}`)); err != nil {
		t.Fatal(err)
	}
	if got := d.Root().GetKey(NewKey("eventName")).Str(); got != "ConsoleLogin" {
		t.Fatalf("before release: eventName %q", got)
	}
	d.Release()
	if d.Raw() != nil || d.Root().Exists() {
		t.Fatalf("released Doc still holds %q, root exists %v", d.Raw(), d.Root().Exists())
	}
	if err := d.Parse([]byte(`{"eventSource":"signin.amazonaws.com"}`)); err != nil {
		t.Fatal(err)
	}
	root := d.Root()
	if root.GetKey(NewKey("eventName")).Exists() || root.Get("eventSource").Str() != "signin.amazonaws.com" {
		t.Fatalf("after release and a new parse: %s", d.Raw())
	}
}
