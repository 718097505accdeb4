package model

import (
	"fmt"
	"strings"
)

// Variant is one version of the device_shutdown() algorithm. A version is
// only its algorithm code: Main is its device_shutdown().
type Variant struct {
	Name    string // as given to --variant
	Summary string // one line: what the version is and where its code comes from
	Main    FuncID // device_shutdown()
	// KillDeviceCompletes: the version's kill_device() also calls
	// complete_all(&dev->p->complete) (v17 3/5).
	KillDeviceCompletes bool
}

// variantOrder is the order versions are listed in: the series' own order.
var variantOrder = []string{"upstream", "v8", "v9", "v14", "v17", "v18"}

// DefaultVariant is the version checked when none is named.
const DefaultVariant = "v14"

var variants = map[string]*Variant{}

// RegisterVariant makes a version available to LookupVariant. Call it from
// init(); only the versions named in the series' order are listed by Variants.
func RegisterVariant(v *Variant) {
	if _, dup := variants[v.Name]; dup {
		panic("model: variant " + v.Name + " registered twice")
	}
	variants[v.Name] = v
}

// Variants returns every modeled version, oldest first.
func Variants() []*Variant {
	var vs []*Variant
	for _, name := range variantOrder {
		if v, ok := variants[name]; ok {
			vs = append(vs, v)
		}
	}
	return vs
}

// LookupVariant returns the version called name.
func LookupVariant(name string) (*Variant, error) {
	if v, ok := variants[name]; ok {
		return v, nil
	}
	var names []string
	for _, v := range Variants() {
		names = append(names, v.Name)
	}
	return nil, fmt.Errorf("unknown variant %q (have %s)", name, strings.Join(names, ", "))
}
