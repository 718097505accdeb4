package model

// struct completion dev->p->complete: initialised once in
// device_private_init(), signalled only by complete_all(), never reset.

// CompleteAll models complete_all(&dev->p->complete).
func (k *Kernel) CompleteAll(dev DevID) bool {
	if k.op(OpCompleteAll, dev, true) {
		return false
	}
	if k.s.Dev[dev].Has(FlagDone) {
		k.rd(devObj(objDevDone, dev)) // done already: completing again changes nothing
	} else {
		k.wr(devObj(objDevDone, dev))
	}
	k.s.Dev[dev].Flags |= FlagDone
	return true
}

// WaitForCompletion models wait_for_completion(&dev->p->complete): it blocks
// until the completion is done.
func (k *Kernel) WaitForCompletion(dev DevID) bool {
	if k.op(OpWaitCompletion, dev, k.s.Dev[dev].Has(FlagDone)) {
		return false
	}
	k.rdEnable(devObj(objDevDone, dev))
	return true
}
