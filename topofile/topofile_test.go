package topofile

import (
	"errors"
	"strings"
	"testing"

	"github.com/shutdowncheck/shutdowncheck/model"
)

const good = `name: small-server
devices:                 # devices_kset order: head first
  - name: pci0000:00
    async: true
  - name: "0000:00:01.0"
    parent: pci0000:00
    async: true
    shutdown_ms: 40000
  - name: regulator-1
  - name: usb1
    parent: "0000:00:01.0"
    need_parent_lock: true
    present: true
links:
  - {supplier: regulator-1, consumer: "0000:00:01.0", sync_state_only: false}
scenario:
  async_shutdown: true
  workers: 2
  alloc_failures: 1
`

func TestParseGood(t *testing.T) {
	top, err := Parse("good.yaml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if top.Name != "small-server" || len(top.Devices) != 4 || len(top.Links) != 1 {
		t.Fatalf("parsed %v", top)
	}
	usb := top.Devices[top.Index("usb1")]
	if usb.Parent != top.Index("0000:00:01.0") || !usb.NeedParentLock || !usb.Present || usb.Async {
		t.Errorf("usb1 = %+v", usb)
	}
	if top.Devices[1].ShutdownMS != 40000 || top.Scenario.Workers != 2 || top.Scenario.AllocFailures != 1 || !top.Scenario.AsyncShutdown {
		t.Errorf("fields lost: %+v %+v", top.Devices[1], top.Scenario)
	}
}

func TestParseJSON(t *testing.T) {
	js := `{"name": "j", "devices": [{"name": "a"}, {"name": "b", "parent": "a", "async": true}],
	        "links": [{"supplier": "a", "consumer": "b", "sync_state_only": true}]}`
	top, err := Parse("t.json", []byte(js))
	if err != nil {
		t.Fatal(err)
	}
	if top.Devices[1].Parent != 0 || !top.Links[0].SyncStateOnly || !top.Scenario.AsyncShutdown {
		t.Errorf("parsed %v", top)
	}
}

func TestRoundTrip(t *testing.T) {
	top, err := Parse("good.yaml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	out, err := Marshal(top, top.Scenario)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Parse("again.yaml", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if again.String() != top.String() || again.Scenario.Workers != 2 {
		t.Errorf("round trip changed the topology:\n%s\n%s", top, again)
	}
}

// Every kind of bad input docs/FORMAT.md names is refused with its line and reason.
func TestParseBad(t *testing.T) {
	cases := []struct {
		name, src string
		line      int
		reason    string
	}{
		{"unknown field", "devices:\n  - name: a\n    colour: red\n", 3, `unknown field "colour"`},
		{"unknown top field", "devices:\n  - name: a\nflavour: x\n", 3, `unknown field "flavour"`},
		{"unknown scenario field", "devices:\n  - name: a\nscenario:\n  workrs: 2\n", 4, `unknown field "workrs"`},
		{"duplicate device", "devices:\n  - name: a\n  - name: a\n", 3, `duplicate device "a"`},
		{"unknown parent", "devices:\n  - name: a\n  - name: b\n    parent: c\n", 4, `unknown parent "c"`},
		{"self parent", "devices:\n  - name: a\n    parent: a\n", 2, "its own parent"},
		{"parent cycle", "devices:\n  - name: a\n    parent: b\n  - name: b\n    parent: a\n", 2, "parent cycle"},
		{"unknown link supplier", "devices:\n  - name: a\nlinks:\n  - {supplier: x, consumer: a}\n", 4, `unknown device "x"`},
		{"unknown link consumer", "devices:\n  - name: a\nlinks:\n  - supplier: a\n    consumer: y\n", 5, `unknown device "y"`},
		{"link to itself", "devices:\n  - name: a\nlinks:\n  - {supplier: a, consumer: a}\n", 4, "to itself"},
		{"duplicate link", "devices:\n  - name: a\n  - name: b\nlinks:\n  - {supplier: a, consumer: b}\n  - {supplier: a, consumer: b}\n", 6, "duplicate link"},
		{"link cycle", "devices:\n  - name: a\n  - name: b\n    parent: a\nlinks:\n  - {supplier: b, consumer: a}\n", 6, "dependency cycle"},
		{"malformed", "devices:\n  - name: a\n    parent: [\n", 3, "malformed YAML"},
		{"tab", "devices:\n\t- name: a\n", 2, "malformed YAML"},
		{"not a mapping", "- a\n- b\n", 1, "mapping"},
		{"devices not a list", "devices: a\n", 1, "devices must be a list"},
		{"no devices", "name: x\n", 1, "no devices"},
		{"empty devices", "devices: []\n", 1, "no devices"},
		{"bad bool", "devices:\n  - name: a\n    async: yes please\n", 3, "async must be true or false"},
		{"bad int", "devices:\n  - name: a\nscenario:\n  workers: many\n", 4, "workers must be a whole number"},
		{"negative workers", "devices:\n  - name: a\nscenario:\n  workers: -1\n", 4, "workers must be 0"},
		{"nameless device", "devices:\n  - async: true\n", 2, "without a name"},
		{"duplicate key", "devices:\n  - name: a\n    name: b\n", 3, "given twice"},
		{"remove unknown", "devices:\n  - name: a\nscenario:\n  remove: [b]\n", 4, `unknown device "b"`},
		{"hot_add present", "devices:\n  - name: a\nscenario:\n  hot_add: [a]\n", 4, "already present"},
		{"child of absent parent", "devices:\n  - name: a\n    present: false\n  - name: b\n    parent: a\n", 4, "parent \"a\" is not"},
		{"link without consumer", "devices:\n  - name: a\nlinks:\n  - {supplier: a}\n", 4, "needs a supplier and a consumer"},
		// Scenarios that cannot happen.
		{"removed twice", "devices:\n  - name: a\nscenario:\n  remove: [a, a]\n", 4, `remove names "a" twice`},
		{"hot-added twice", "devices:\n  - name: a\n    present: false\nscenario:\n  hot_add: [a, a]\n", 5, `hot_add names "a" twice`},
		{"absent and never added", "devices:\n  - name: a\n  - name: b\n    present: false\n", 3, `"b" is not present, not hot-added`},
		{"hot-added under a never added parent", "devices:\n  - name: x\n  - name: a\n    present: false\n  - name: b\n    parent: a\n    present: false\nlinks:\n  - {supplier: x, consumer: a}\nscenario:\n  hot_add: [b]\n", 11, `whose parent "a" is neither present nor hot-added`},
		{"second document", "devices:\n  - name: a\n---\ndevices:\n  - name: b\n", 4, "a second YAML document"},
		// The registration order.
		{"registered unknown", "devices:\n  - name: a\nregistered: [a, x]\n", 3, `registered names unknown device "x"`},
		{"registered twice", "devices:\n  - name: a\nregistered: [a, a]\n", 3, `registered lists "a" twice`},
		{"registered incomplete", "devices:\n  - name: a\n  - name: b\nregistered: [a]\n", 4, `does not list the present device "b"`},
		{"registered child first", "devices:\n  - name: a\n  - name: b\n    parent: a\nregistered: [b, a]\n", 5, `before its parent "a"`},
		{"registered absent", "devices:\n  - name: a\n  - name: b\n    present: false\nregistered: [a, b]\nscenario:\n  hot_add: [b]\n", 5, "which is not present"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte(c.src))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want a *topofile.Error", err)
			}
			if e.File != "bad.yaml" || e.Line != c.line || !strings.Contains(e.Reason, c.reason) {
				t.Errorf("got %q (line %d), want line %d with %q", err, e.Line, c.line, c.reason)
			}
		})
	}
}

// A registration order other than devices_kset's is read and written back.
func TestRegisteredRoundTrip(t *testing.T) {
	src := "devices:\n  - name: p\n  - name: b\n    parent: p\n  - name: a\n    parent: p\nregistered: [p, a, b]\n"
	top, err := Parse("r.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := top.Children(0); len(got) != 2 || top.Devices[got[0]].Name != "a" {
		t.Fatalf("klist_children of p = %v, want a first", got)
	}
	out, err := Marshal(top, top.Scenario)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "registered: [p, a, b]") {
		t.Fatalf("registered not written back:\n%s", out)
	}
	// In devices_kset order, it is left out.
	top, err = Parse("r.yaml", []byte("devices:\n  - name: p\n  - name: a\n    parent: p\nregistered: [p, a]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if out, _ := Marshal(top, top.Scenario); strings.Contains(string(out), "registered") {
		t.Errorf("the default order written out:\n%s", out)
	}
}

func TestEmptyFile(t *testing.T) {
	_, err := Parse("empty.yaml", nil)
	if err == nil || !strings.Contains(err.Error(), "empty.yaml: empty file") {
		t.Fatalf("got %v", err)
	}
}

func TestDefaultName(t *testing.T) {
	top, err := Parse("dir/my-box.yaml", []byte("devices:\n  - name: a\n"))
	if err != nil {
		t.Fatal(err)
	}
	if top.Name != "my-box" || top.Devices[0].Parent != model.NoDev {
		t.Errorf("got %v", top)
	}
}
