package model

import (
	"fmt"
	"slices"
	"strings"

	"github.com/shutdowncheck/shutdowncheck/cfront/ir"
)

// Variant is one version of the device_shutdown() algorithm: only its
// algorithm code, and what of the kernel it changes.
type Variant struct {
	Name    string // as given to --variant
	Number  int    // its place in the series: 0 for upstream, else the version number
	Summary string // one line: what the version is and where its code comes from
	// SameAs names the version whose algorithm this one runs ("" if its
	// own): a version that changed only what the model does not see.
	SameAs string
	Main   FuncID // device_shutdown()
	// KillDevice is kill_device() as the version has it (v17 3/5 makes it
	// complete dev->p->complete); 0: upstream's. device_del() calls it.
	KillDevice FuncID

	// Program is the C a version made by NewProgramVariant runs, operation
	// by operation (nil for the hand-written versions); interp is how.
	Program *ir.Program
	interp  *interpProg
}

// variants holds every version, each registered by its own file.
var variants []*Variant

// register adds a version: the variable a version file declares with it
// is the version. Variants lists them in series order, so a new version is
// one new file.
func register(v *Variant) *Variant {
	variants = append(variants, v)
	return v
}

// DefaultVariant is the version checked when none is named.
const DefaultVariant = "v14"

// Variants returns every modeled version in the series' order, oldest first.
func Variants() []*Variant {
	vs := slices.Clone(variants)
	slices.SortFunc(vs, func(a, b *Variant) int { return a.Number - b.Number })
	return vs
}

// LookupVariant returns the version called name.
func LookupVariant(name string) (*Variant, error) {
	for _, v := range variants {
		if v.Name == name {
			return v, nil
		}
	}
	var names []string
	for _, v := range Variants() {
		names = append(names, v.Name)
	}
	return nil, fmt.Errorf("unknown variant %q (have %s)", name, strings.Join(names, ", "))
}

// killDevice is the version's kill_device().
func (v *Variant) killDevice() FuncID {
	if v.KillDevice != 0 {
		return v.KillDevice
	}
	return fnKillDevice
}
