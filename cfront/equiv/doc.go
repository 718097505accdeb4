// Package equiv holds the tests that the C-derived algorithms (cfront's
// lowering of the series' patch emails, run by model.NewProgramVariant)
// and the hand-written versions of package model agree: the same
// violated properties on every built-in topology and scenario and on
// random topologies, with the same counterexample lengths where the two
// take the same steps.
package equiv
