package cfront

import (
	"fmt"
	"strings"

	"modernc.org/cc/v4"

	"github.com/shutdowncheck/shutdowncheck/cfront/ir"
)

// UnsupportedError is C that cfront cannot lower: where, and what.
type UnsupportedError struct {
	Pos       string // file:line:column
	Construct string
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("%s: unsupported: %s", e.Pos, e.Construct)
}

// bailout carries an UnsupportedError out of the recursive lowering.
type bailout struct{ err *UnsupportedError }

func pos(n cc.Node) string {
	if n == nil {
		return "?"
	}
	p := n.Position()
	return fmt.Sprintf("%s:%d:%d", p.Filename, p.Line, p.Column)
}

func fail(n cc.Node, format string, args ...any) {
	panic(bailout{&UnsupportedError{Pos: pos(n), Construct: fmt.Sprintf(format, args...)}})
}

// primitive calls: prelude functions with no body that are one kernel
// operation each.
var primCalls = map[string]ir.Prim{
	"spin_lock":                       ir.PrimSpinLock,
	"spin_unlock":                     ir.PrimSpinUnlock,
	"list_del_init":                   ir.PrimListDelInit,
	"get_device":                      ir.PrimGetDevice,
	"put_device":                      ir.PrimPutDevice,
	"device_lock":                     ir.PrimDeviceLock,
	"device_unlock":                   ir.PrimDeviceUnlock,
	"wait_for_completion":             ir.PrimWaitCompletion,
	"complete_all":                    ir.PrimCompleteAll,
	"init_completion":                 ir.PrimInitCompletion,
	"async_schedule_dev_nocall":       ir.PrimAsyncSchedule,
	"__cf_async_queue_domain":         ir.PrimAsyncQueueDomain,
	"async_synchronize_full":          ir.PrimAsyncSyncFull,
	"async_synchronize_full_domain":   ir.PrimAsyncSyncDomain,
	"async_synchronize_cookie_domain": ir.PrimAsyncSyncCookie,
	"device_links_read_lock":          ir.PrimLinksReadLock,
	"device_links_read_unlock":        ir.PrimLinksReadUnlock,
	"__cf_link_next":                  ir.PrimLinkNext,
	"next_device":                     ir.PrimKlistNext,
	"klist_iter_init":                 ir.PrimKlistIterInit,
	"klist_iter_exit":                 ir.PrimKlistIterExit,
	"dev_clear_async_shutdown":        ir.PrimClearAsync,
	"dev_set_async_shutdown":          ir.PrimSetAsync,
}

// noStep are prelude functions a call of which is no kernel operation of
// the model: printk-like calls, runtime PM, lockdep assertions, and
// device_shutdown()'s preamble.
var noStep = map[string]bool{
	"pm_runtime_get_noresume": true, "pm_runtime_barrier": true,
	"dev_info": true, "dev_warn": true, "dev_dbg": true,
	"wait_for_device_probe": true, "device_block_probing": true, "cpufreq_suspend": true,
	"device_lock_assert": true, "device_links_read_lock_held": true, "INIT_LIST_HEAD": true,
}

// Options say what to lower.
type Options struct {
	// Roots are the functions to lower with everything they reach; the
	// first is device_shutdown(). Roots other than the first that the
	// file does not define are left out.
	Roots []string
}

type label int

type lowerer struct {
	prog   *ir.Program
	defs   map[string]*cc.FunctionDefinition
	queue  []string
	decls  map[string]*cc.Declarator // file-scope declarators by name
	fn     *ir.Function
	slots  map[*cc.Declarator]int
	labels []int // label -> pc, -1 until placed
	fixups []fixup
	cnames map[string]label
	brk    []label
	cont   []label
	// cache maps a load (field and argument) to the slot holding its value
	// while no kernel operation, call, label or write of a slot it uses
	// came between: a second read of the same field in straight-line code
	// is the same read (list_empty() then list_entry() of the tail;
	// if (dev->parent) put_device(dev->parent)).
	cache   map[string]cached
	pending []ir.Load // loads of the expression being lowered, not emitted yet
}

type cached struct {
	slot int
	deps []int
}

type fixup struct {
	pc int
	l  label
}

// lower lowers the functions opt.Roots reach in ast.
func lower(ast *cc.AST, opt Options) (prog *ir.Program, err error) {
	l := &lowerer{
		prog:  &ir.Program{Index: map[string]int{}},
		defs:  map[string]*cc.FunctionDefinition{},
		decls: map[string]*cc.Declarator{},
	}
	for tu := ast.TranslationUnit; tu != nil; tu = tu.TranslationUnit {
		ed := tu.ExternalDeclaration
		switch ed.Case {
		case cc.ExternalDeclarationFuncDef:
			fd := ed.FunctionDefinition
			l.defs[fd.Declarator.Name()] = fd
		case cc.ExternalDeclarationDecl:
			if d := ed.Declaration; d != nil {
				for idl := d.InitDeclaratorList; idl != nil; idl = idl.InitDeclaratorList {
					if dd := idl.InitDeclarator.Declarator; dd != nil {
						l.decls[dd.Name()] = dd
					}
				}
			}
		}
	}
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				panic(r)
			}
			prog, err = nil, b.err
		}
	}()
	for i, r := range opt.Roots {
		if _, ok := l.defs[r]; !ok {
			if i == 0 {
				return nil, fmt.Errorf("the source defines no %s()", r)
			}
			continue
		}
		l.funcIndex(r)
	}
	for len(l.queue) > 0 {
		name := l.queue[0]
		l.queue = l.queue[1:]
		l.lowerFunc(name, l.defs[name])
	}
	markOps(l.prog)
	for _, f := range l.prog.Funcs {
		f.Live = liveness(f)
		compact(f)
		f.Live = liveness(f)
	}
	return l.prog, nil
}

// funcIndex returns the index of the defined function name, queueing it
// for lowering the first time.
func (l *lowerer) funcIndex(name string) int {
	if i, ok := l.prog.Index[name]; ok {
		return i
	}
	i := len(l.prog.Funcs)
	l.prog.Funcs = append(l.prog.Funcs, &ir.Function{Name: name})
	l.prog.Index[name] = i
	l.queue = append(l.queue, name)
	return i
}

func (l *lowerer) lowerFunc(name string, fd *cc.FunctionDefinition) {
	f := l.prog.Funcs[l.prog.Index[name]]
	l.fn = f
	l.slots = map[*cc.Declarator]int{}
	l.labels, l.fixups, l.cnames = nil, nil, map[string]label{}
	l.cache = map[string]cached{}
	l.pending = nil
	p := fd.Position()
	f.Pos = fmt.Sprintf("%s:%d", p.Filename, p.Line)
	ft, ok := fd.Declarator.Type().(*cc.FunctionType)
	if !ok {
		fail(fd, "function %s without a function type", name)
	}
	for _, prm := range params(ft) {
		if prm.Declarator == nil {
			fail(fd, "unnamed parameter of %s", name)
		}
		l.newSlot(prm.Declarator)
	}
	f.Params = len(params(ft))
	l.compound(fd.CompoundStatement)
	l.emit(ir.Instr{Op: ir.OpReturn}, fd.CompoundStatement.Token2, "}")
	for _, fx := range l.fixups {
		pc := l.labels[fx.l]
		if pc < 0 {
			fail(fd, "goto a label that is never placed")
		}
		f.Code[fx.pc].Target = pc
	}
	if f.Slots > 64 {
		fail(fd, "%s needs %d frame slots (at most 64)", name, f.Slots)
	}
}

func (l *lowerer) newSlot(d *cc.Declarator) int {
	s := l.fn.Slots
	l.fn.Slots++
	name := "tmp"
	if d != nil {
		l.slots[d] = s
		name = d.Name()
	}
	l.fn.SlotNames = append(l.fn.SlotNames, name)
	return s
}

func (l *lowerer) temp() int { return l.newSlot(nil) }

func (l *lowerer) newLabel() label {
	l.labels = append(l.labels, -1)
	return label(len(l.labels) - 1)
}

// place puts label lb at the next instruction; it may be reached from
// elsewhere, so no read is reused across it.
func (l *lowerer) place(lb label) {
	l.flush(nil)
	l.labels[lb] = len(l.fn.Code)
	l.cache = map[string]cached{}
}

func (l *lowerer) emit(in ir.Instr, n cc.Node, text string) int {
	if in.Op != ir.OpRead {
		l.flush(n)
	}
	if in.Dst == 0 && in.Op != ir.OpAssign && in.Op != ir.OpCall && in.Op != ir.OpPrim {
		in.Dst = -1
	}
	in.Dst2 = -1
	if n != nil {
		p := n.Position()
		in.Pos = fmt.Sprintf("%s:%d", p.Filename, p.Line)
	}
	in.Text = text
	l.fn.Code = append(l.fn.Code, in)
	switch in.Op {
	case ir.OpRead, ir.OpJump, ir.OpBranch, ir.OpReturn:
		// No operation: on the path that falls through, reads stay valid.
	case ir.OpAssign:
		l.invalidate(in.Dst)
	default:
		l.cache = map[string]cached{}
		if in.Dst >= 0 {
			l.invalidate(in.Dst)
		}
	}
	return len(l.fn.Code) - 1
}

func (l *lowerer) jump(op ir.Op, x *ir.Expr, lb label, n cc.Node) {
	pc := l.emit(ir.Instr{Op: op, X: x, Dst: -1}, n, "")
	l.fixups = append(l.fixups, fixup{pc: pc, l: lb})
}

// flush emits the pending loads as one Read: one kernel operation.
func (l *lowerer) flush(n cc.Node) {
	if len(l.pending) == 0 {
		return
	}
	loads := l.pending
	l.pending = nil
	in := ir.Instr{Op: ir.OpRead, Loads: loads, Dst: -1, Dst2: -1}
	if n != nil {
		p := n.Position()
		in.Pos = fmt.Sprintf("%s:%d", p.Filename, p.Line)
	}
	l.fn.Code = append(l.fn.Code, in)
}

// invalidate forgets cached loads that depend on slot s.
func (l *lowerer) invalidate(s int) {
	for k, c := range l.cache {
		for _, d := range c.deps {
			if d == s {
				delete(l.cache, k)
			}
		}
	}
}

func slotsOf(e *ir.Expr, out []int) []int {
	if e == nil {
		return out
	}
	if e.Op == ir.ESlot || e.Op == ir.EAddr {
		out = append(out, e.Slot)
	}
	return slotsOf(e.Z, slotsOf(e.Y, slotsOf(e.X, out)))
}

// load returns a slot holding field f of arg: a load of the expression
// being lowered (or one still cached).
func (l *lowerer) load(f ir.Field, arg *ir.Expr) *ir.Expr {
	key := fmt.Sprintf("%v(%v)", f, arg)
	if c, ok := l.cache[key]; ok {
		return &ir.Expr{Op: ir.ESlot, Slot: c.slot}
	}
	t := l.temp()
	l.pending = append(l.pending, ir.Load{Field: f, Arg: arg, Dst: t})
	if len(l.pending) > 4 {
		fail(nil, "more than 4 shared reads in one expression")
	}
	l.cache[key] = cached{slot: t, deps: slotsOf(arg, nil)}
	return &ir.Expr{Op: ir.ESlot, Slot: t}
}

// mark and reset let an operand be lowered on trial.
type mark struct {
	code, labels, fixups, pending, slots int
	cache                                map[string]cached
}

func (l *lowerer) mark() mark {
	c := make(map[string]cached, len(l.cache))
	for k, v := range l.cache {
		c[k] = v
	}
	return mark{len(l.fn.Code), len(l.labels), len(l.fixups), len(l.pending), l.fn.Slots, c}
}

func (l *lowerer) reset(m mark) {
	l.fn.Code = l.fn.Code[:m.code]
	l.labels = l.labels[:m.labels]
	l.fixups = l.fixups[:m.fixups]
	l.pending = l.pending[:m.pending]
	l.cache = m.cache
	l.fn.Slots = m.slots // the trial's temporaries are referenced nowhere now
	l.fn.SlotNames = l.fn.SlotNames[:m.slots]
}

func src(n cc.Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	for _, t := range cc.NodeTokens(n) {
		if b.Len() > 0 && len(t.Sep()) > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.SrcStr())
	}
	s := b.String()
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

// ---- statements ----

func (l *lowerer) compound(cs *cc.CompoundStatement) {
	for bil := cs.BlockItemList; bil != nil; bil = bil.BlockItemList {
		bi := bil.BlockItem
		switch bi.Case {
		case cc.BlockItemDecl:
			l.declaration(bi.Declaration)
		case cc.BlockItemStmt:
			l.statement(bi.Statement)
		case cc.BlockItemLabel:
			fail(bi.LabelDeclaration, "__label__ declaration")
		default:
			fail(cs, "nested function definition")
		}
	}
}

func (l *lowerer) declaration(d *cc.Declaration) {
	if d.Case != cc.DeclarationDecl {
		fail(d, "declaration %q", src(d))
	}
	for idl := d.InitDeclaratorList; idl != nil; idl = idl.InitDeclaratorList {
		id := idl.InitDeclarator
		dd := id.Declarator
		if dd.Name() == "__func__" { // cc's implicit declaration
			continue
		}
		if dd.IsStatic() || dd.IsExtern() {
			fail(dd, "static or extern local %s", dd.Name())
		}
		s := l.newSlot(dd)
		if id.Case == cc.InitDeclaratorInit {
			if id.Initializer.Case != cc.InitializerExpr {
				fail(id, "initializer list for %s", dd.Name())
			}
			v := l.convert(l.value(id.Initializer.AssignmentExpression), dd.Type())
			l.emit(ir.Instr{Op: ir.OpAssign, Dst: s, X: v}, id, src(id))
		} else {
			l.emit(ir.Instr{Op: ir.OpAssign, Dst: s, X: &ir.Expr{Op: ir.EConst}}, id, src(id))
		}
	}
}

func (l *lowerer) statement(s *cc.Statement) {
	switch s.Case {
	case cc.StatementCompound:
		l.compound(s.CompoundStatement)
	case cc.StatementExpr:
		if s.ExpressionStatement.ExpressionList != nil {
			l.effect(s.ExpressionStatement.ExpressionList)
			l.flush(s.ExpressionStatement)
		}
	case cc.StatementSelection:
		l.selection(s.SelectionStatement)
	case cc.StatementIteration:
		l.iteration(s.IterationStatement)
	case cc.StatementJump:
		l.jumpStmt(s.JumpStatement)
	case cc.StatementLabeled:
		ls := s.LabeledStatement
		if ls.Case != cc.LabeledStatementLabel {
			fail(ls, "case label (switch)")
		}
		l.place(l.cLabel(ls.Token.SrcStr()))
		l.statement(ls.Statement)
	default:
		fail(s, "statement %q", src(s))
	}
}

func (l *lowerer) cLabel(name string) label {
	if lb, ok := l.cnames[name]; ok {
		return lb
	}
	lb := l.newLabel()
	l.cnames[name] = lb
	return lb
}

func (l *lowerer) selection(ss *cc.SelectionStatement) {
	switch ss.Case {
	case cc.SelectionStatementIf:
		end := l.newLabel()
		l.cond(ss.ExpressionList, end, false)
		l.statement(ss.Statement)
		l.place(end)
	case cc.SelectionStatementIfElse:
		els, end := l.newLabel(), l.newLabel()
		l.cond(ss.ExpressionList, els, false)
		l.statement(ss.Statement)
		l.jump(ir.OpJump, nil, end, ss)
		l.place(els)
		l.statement(ss.Statement2)
		l.place(end)
	default:
		fail(ss, "switch statement")
	}
}

func (l *lowerer) iteration(is *cc.IterationStatement) {
	top, next, end := l.newLabel(), l.newLabel(), l.newLabel()
	l.brk = append(l.brk, end)
	l.cont = append(l.cont, next)
	defer func() { l.brk, l.cont = l.brk[:len(l.brk)-1], l.cont[:len(l.cont)-1] }()
	switch is.Case {
	case cc.IterationStatementWhile: // top: if !cond goto end; body; next: goto top
		l.place(top)
		l.cond(is.ExpressionList, end, false)
		l.statement(is.Statement)
		l.place(next)
		l.jump(ir.OpJump, nil, top, is)
	case cc.IterationStatementDo: // top: body; next: if cond goto top
		l.place(top)
		l.statement(is.Statement)
		l.place(next)
		l.cond(is.ExpressionList, top, true)
	case cc.IterationStatementFor, cc.IterationStatementForDecl:
		if is.Case == cc.IterationStatementForDecl {
			l.declaration(is.Declaration)
		} else if is.ExpressionList != nil {
			l.effect(is.ExpressionList)
		}
		l.place(top)
		c := is.ExpressionList2
		if is.Case == cc.IterationStatementForDecl {
			c = is.ExpressionList
		}
		if c != nil {
			l.cond(c, end, false)
		}
		l.statement(is.Statement)
		l.place(next)
		step := is.ExpressionList3
		if is.Case == cc.IterationStatementForDecl {
			step = is.ExpressionList2
		}
		if step != nil {
			l.effect(step)
		}
		l.jump(ir.OpJump, nil, top, is)
	}
	l.place(end)
}

func (l *lowerer) jumpStmt(js *cc.JumpStatement) {
	switch js.Case {
	case cc.JumpStatementGoto:
		l.jump(ir.OpJump, nil, l.cLabel(js.Token2.SrcStr()), js)
	case cc.JumpStatementContinue:
		l.jump(ir.OpJump, nil, l.cont[len(l.cont)-1], js)
	case cc.JumpStatementBreak:
		if len(l.brk) == 0 {
			fail(js, "break outside a loop")
		}
		l.jump(ir.OpJump, nil, l.brk[len(l.brk)-1], js)
	case cc.JumpStatementReturn:
		var x *ir.Expr
		if js.ExpressionList != nil {
			x = l.value(js.ExpressionList)
			if ft, ok := l.defs[l.fn.Name].Declarator.Type().(*cc.FunctionType); ok {
				x = l.convert(x, ft.Result())
			}
		}
		l.emit(ir.Instr{Op: ir.OpReturn, X: x, Dst: -1}, js, src(js))
	default:
		fail(js, "computed goto")
	}
}

// cond emits a jump to target when n is true (onTrue) or false (!onTrue),
// falling through otherwise. && and || become jumps; their operands are
// evaluated only when C evaluates them.
func (l *lowerer) cond(n cc.ExpressionNode, target label, onTrue bool) {
	switch x := n.(type) {
	case *cc.ExpressionList:
		if x.ExpressionList == nil {
			l.cond(x.AssignmentExpression, target, onTrue)
			return
		}
	case *cc.LogicalAndExpression:
		if x.Case == cc.LogicalAndExpressionLAnd && l.condFreeFirst(x, target, onTrue) {
			return
		}
		if x.Case == cc.LogicalAndExpressionLAnd && !l.mergeable(x.LogicalAndExpression, x.InclusiveOrExpression) {
			if onTrue { // a && b: if !a skip; if b goto target
				skip := l.newLabel()
				l.cond(x.LogicalAndExpression, skip, false)
				l.cond(x.InclusiveOrExpression, target, true)
				l.place(skip)
			} else {
				l.cond(x.LogicalAndExpression, target, false)
				l.cond(x.InclusiveOrExpression, target, false)
			}
			return
		}
	case *cc.LogicalOrExpression:
		if x.Case == cc.LogicalOrExpressionLOr && !l.mergeable(x.LogicalOrExpression, x.LogicalAndExpression) {
			if onTrue {
				l.cond(x.LogicalOrExpression, target, true)
				l.cond(x.LogicalAndExpression, target, true)
			} else {
				skip := l.newLabel()
				l.cond(x.LogicalOrExpression, skip, true)
				l.cond(x.LogicalAndExpression, target, false)
				l.place(skip)
			}
			return
		}
	case *cc.UnaryExpression:
		if x.Case == cc.UnaryExpressionNot {
			l.cond(x.CastExpression, target, !onTrue)
			return
		}
	case *cc.PrimaryExpression:
		if x.Case == cc.PrimaryExpressionExpr {
			l.cond(x.ExpressionList, target, onTrue)
			return
		}
	}
	v := l.value(n)
	if !onTrue {
		v = &ir.Expr{Op: ir.EUnary, Tok: "!", X: v}
	}
	l.jump(ir.OpBranch, v, target, n)
}

// condFreeFirst lowers a condition a && b && ... whose operands call
// nothing and some of which read shared state, when an operand that reads
// nothing comes after one that does: the operands that read nothing are
// tested first, in their order, then the others, their reads one
// operation. `if (dev->parent && dev->bus && dev->bus->need_parent_lock)`
// (v8..v12's shutdown_one_device()) reads dev->parent only on a
// need_parent_lock bus, as the model does: C's evaluation order is not
// observable here, since the reads have no side effects and no operation
// comes between the tests and the reads, so when a free test is false the
// read would only be a step whose value nobody uses. It reports whether
// it lowered x.
func (l *lowerer) condFreeFirst(x *cc.LogicalAndExpression, target label, onTrue bool) bool {
	ops := andOperands(x, nil)
	reads := make([]bool, len(ops))
	m := l.mark()
	code := len(l.fn.Code)
	pure := func() (ok bool) {
		defer func() {
			if r := recover(); r != nil {
				if _, isBail := r.(bailout); !isBail {
					panic(r)
				}
				ok = false // let the ordinary lowering say what is wrong
			}
		}()
		for i, op := range ops {
			p := len(l.pending)
			l.value(op)
			if len(l.fn.Code) != code {
				return false
			}
			reads[i] = len(l.pending) > p
		}
		return true
	}()
	l.reset(m)
	moved, seen := false, false
	for _, r := range reads {
		seen = seen || r
		moved = moved || seen && !r
	}
	if !pure || !moved {
		return false
	}
	skip := target
	if onTrue {
		skip = l.newLabel()
	}
	for i, op := range ops {
		if !reads[i] {
			l.cond(op, skip, false)
		}
	}
	var v *ir.Expr
	for i, op := range ops {
		if reads[i] {
			if e := l.value(op); v == nil {
				v = e
			} else {
				v = &ir.Expr{Op: ir.EBinary, Tok: "&&", X: v, Y: e}
			}
		}
	}
	if !onTrue {
		v = &ir.Expr{Op: ir.EUnary, Tok: "!", X: v}
	}
	l.jump(ir.OpBranch, v, target, x)
	if onTrue {
		l.place(skip)
	}
	return true
}

// andOperands flattens the chain a && b && ... into its operands.
func andOperands(n cc.ExpressionNode, out []cc.ExpressionNode) []cc.ExpressionNode {
	if x, ok := n.(*cc.LogicalAndExpression); ok && x.Case == cc.LogicalAndExpressionLAnd {
		return append(andOperands(x.LogicalAndExpression, out), x.InclusiveOrExpression)
	}
	return append(out, n)
}

// mergeable reports whether a && b (or a || b) can be one expression:
// neither side calls anything, and the right side reads shared state only
// if the left does too (then the reads are one operation, as the model's
// wants_async_shutdown step is; a right-side read guarded by a free test,
// as dev->bus->need_parent_lock && !dev->p->dead, stays behind it).
func (l *lowerer) mergeable(a, b cc.ExpressionNode) bool {
	m := l.mark()
	defer l.reset(m)
	code := len(l.fn.Code)
	l.value(a)
	aLoads := len(l.pending) - m.pending
	if len(l.fn.Code) != code {
		return false
	}
	p := len(l.pending)
	l.value(b)
	bLoads := len(l.pending) - p
	if len(l.fn.Code) != code {
		return false
	}
	return bLoads == 0 || aLoads > 0
}

// ---- expressions ----

// effect lowers n for its side effects.
func (l *lowerer) effect(n cc.ExpressionNode) {
	switch x := n.(type) {
	case *cc.ExpressionList:
		for ; x != nil; x = x.ExpressionList {
			l.effect(x.AssignmentExpression)
		}
		return
	case *cc.AssignmentExpression:
		if x.Case != cc.AssignmentExpressionCond {
			l.assign(x)
			return
		}
	case *cc.CastExpression:
		if x.Case == cc.CastExpressionCast && x.TypeName.Type().Kind() == cc.Void {
			l.effect(x.CastExpression)
			return
		}
	case *cc.PostfixExpression:
		switch x.Case {
		case cc.PostfixExpressionCall:
			l.call(x, false)
			return
		case cc.PostfixExpressionInc, cc.PostfixExpressionDec:
			l.incdec(x.PostfixExpression, x.Case == cc.PostfixExpressionInc, x)
			return
		}
	case *cc.UnaryExpression:
		if x.Case == cc.UnaryExpressionInc || x.Case == cc.UnaryExpressionDec {
			l.incdec(x.UnaryExpression, x.Case == cc.UnaryExpressionInc, x)
			return
		}
	}
	l.value(n)
}

func (l *lowerer) incdec(n cc.ExpressionNode, inc bool, whole cc.Node) {
	s, ok := l.localSlot(n)
	if !ok {
		fail(n, "++/-- of %q (only locals)", src(n))
	}
	tok := "-"
	if inc {
		tok = "+"
	}
	l.emit(ir.Instr{Op: ir.OpAssign, Dst: s, X: &ir.Expr{Op: ir.EBinary, Tok: tok, X: &ir.Expr{Op: ir.ESlot, Slot: s}, Y: &ir.Expr{Op: ir.EConst, Val: ir.Int(1)}}}, whole, src(whole))
}

var compoundOps = map[cc.AssignmentExpressionCase]string{
	cc.AssignmentExpressionMul: "*", cc.AssignmentExpressionDiv: "/", cc.AssignmentExpressionMod: "%",
	cc.AssignmentExpressionAdd: "+", cc.AssignmentExpressionSub: "-", cc.AssignmentExpressionLsh: "<<",
	cc.AssignmentExpressionRsh: ">>", cc.AssignmentExpressionAnd: "&", cc.AssignmentExpressionXor: "^",
	cc.AssignmentExpressionOr: "|",
}

// assign lowers an assignment and returns the value assigned.
func (l *lowerer) assign(x *cc.AssignmentExpression) *ir.Expr {
	if s, ok := l.localSlot(x.UnaryExpression); ok {
		v := l.value(x.AssignmentExpression)
		if op, ok := compoundOps[x.Case]; ok {
			v = &ir.Expr{Op: ir.EBinary, Tok: op, X: &ir.Expr{Op: ir.ESlot, Slot: s}, Y: v}
		}
		v = l.convert(v, x.UnaryExpression.Type())
		l.emit(ir.Instr{Op: ir.OpAssign, Dst: s, X: v}, x, src(x))
		return &ir.Expr{Op: ir.ESlot, Slot: s}
	}
	if x.Case != cc.AssignmentExpressionAssign {
		fail(x, "compound assignment to shared state %q", src(x))
	}
	f, arg := l.fieldOf(x.UnaryExpression)
	v := l.convert(l.value(x.AssignmentExpression), x.UnaryExpression.Type())
	t := l.temp()
	l.emit(ir.Instr{Op: ir.OpAssign, Dst: t, X: v}, x, "")
	l.emit(ir.Instr{Op: ir.OpWrite, Field: f, X: arg, Y: &ir.Expr{Op: ir.ESlot, Slot: t}, Dst: -1}, x, src(x))
	return &ir.Expr{Op: ir.ESlot, Slot: t}
}

// localSlot returns the slot of n when n names a local or parameter.
func (l *lowerer) localSlot(n cc.ExpressionNode) (int, bool) {
	n = strip(n)
	pe, ok := n.(*cc.PrimaryExpression)
	if !ok || pe.Case != cc.PrimaryExpressionIdent {
		return 0, false
	}
	d, ok := pe.ResolvedTo().(*cc.Declarator)
	if !ok {
		return 0, false
	}
	s, ok := l.slots[d]
	return s, ok
}

// strip removes parentheses and single-element expression lists.
func strip(n cc.ExpressionNode) cc.ExpressionNode {
	for {
		switch x := n.(type) {
		case *cc.ExpressionList:
			if x.ExpressionList != nil {
				return n
			}
			n = x.AssignmentExpression
		case *cc.PrimaryExpression:
			if x.Case != cc.PrimaryExpressionExpr {
				return n
			}
			n = x.ExpressionList
		default:
			return n
		}
	}
}

// convert converts v to C type t: to 0/1 for bool.
func (l *lowerer) convert(v *ir.Expr, t cc.Type) *ir.Expr {
	if t != nil && t.Kind() == cc.Bool && !(v.Op == ir.EConst && (v.Val == 0 || v.Val == 1)) && v.Op != ir.EBool {
		return &ir.Expr{Op: ir.EBool, X: v}
	}
	return v
}

func constOf(n cc.ExpressionNode) (*ir.Expr, bool) {
	switch v := n.Value().(type) {
	case cc.Int64Value:
		return &ir.Expr{Op: ir.EConst, Val: ir.Int(int64(v))}, true
	case cc.UInt64Value:
		if uint64(v) < 1<<27 {
			return &ir.Expr{Op: ir.EConst, Val: ir.Int(int64(v))}, true
		}
		return &ir.Expr{Op: ir.EConst, Val: ir.Int(int64(int32(uint32(v))))}, true
	}
	return nil, false
}

var binOps = map[string]bool{"+": true, "-": true, "*": true, "/": true, "%": true, "&": true, "|": true, "^": true,
	"<<": true, ">>": true, "<": true, ">": true, "<=": true, ">=": true, "==": true, "!=": true}

// value lowers n to a pure expression, emitting before it the
// instructions (calls, primitives, reads) its evaluation needs.
func (l *lowerer) value(n cc.ExpressionNode) *ir.Expr {
	if _, isCall := strip(n).(*cc.PostfixExpression); !isCall {
		if c, ok := constOf(n); ok {
			return c
		}
	}
	switch x := n.(type) {
	case *cc.ExpressionList:
		if x.ExpressionList == nil {
			return l.value(x.AssignmentExpression)
		}
		var last *ir.Expr
		for ; x != nil; x = x.ExpressionList {
			if x.ExpressionList == nil {
				last = l.value(x.AssignmentExpression)
			} else {
				l.effect(x.AssignmentExpression)
			}
		}
		return last
	case *cc.PrimaryExpression:
		return l.primary(x)
	case *cc.AssignmentExpression:
		if x.Case == cc.AssignmentExpressionCond {
			return l.value(x.ConditionalExpression)
		}
		return l.assign(x)
	case *cc.ConditionalExpression:
		if x.Case == cc.ConditionalExpressionLOr {
			return l.value(x.LogicalOrExpression)
		}
		return l.ternary(x)
	case *cc.LogicalOrExpression:
		if x.Case == cc.LogicalOrExpressionLAnd {
			return l.value(x.LogicalAndExpression)
		}
		return l.logical(n, "||", x.LogicalOrExpression, x.LogicalAndExpression)
	case *cc.LogicalAndExpression:
		if x.Case == cc.LogicalAndExpressionOr {
			return l.value(x.InclusiveOrExpression)
		}
		return l.logical(n, "&&", x.LogicalAndExpression, x.InclusiveOrExpression)
	case *cc.InclusiveOrExpression:
		if x.Case == cc.InclusiveOrExpressionXor {
			return l.value(x.ExclusiveOrExpression)
		}
		return l.binary(x.Token, x.InclusiveOrExpression, x.ExclusiveOrExpression)
	case *cc.ExclusiveOrExpression:
		if x.Case == cc.ExclusiveOrExpressionAnd {
			return l.value(x.AndExpression)
		}
		return l.binary(x.Token, x.ExclusiveOrExpression, x.AndExpression)
	case *cc.AndExpression:
		if x.Case == cc.AndExpressionEq {
			return l.value(x.EqualityExpression)
		}
		return l.binary(x.Token, x.AndExpression, x.EqualityExpression)
	case *cc.EqualityExpression:
		if x.Case == cc.EqualityExpressionRel {
			return l.value(x.RelationalExpression)
		}
		return l.binary(x.Token, x.EqualityExpression, x.RelationalExpression)
	case *cc.RelationalExpression:
		if x.Case == cc.RelationalExpressionShift {
			return l.value(x.ShiftExpression)
		}
		return l.binary(x.Token, x.RelationalExpression, x.ShiftExpression)
	case *cc.ShiftExpression:
		if x.Case == cc.ShiftExpressionAdd {
			return l.value(x.AdditiveExpression)
		}
		return l.binary(x.Token, x.ShiftExpression, x.AdditiveExpression)
	case *cc.AdditiveExpression:
		if x.Case == cc.AdditiveExpressionMul {
			return l.value(x.MultiplicativeExpression)
		}
		return l.binary(x.Token, x.AdditiveExpression, x.MultiplicativeExpression)
	case *cc.MultiplicativeExpression:
		if x.Case == cc.MultiplicativeExpressionCast {
			return l.value(x.CastExpression)
		}
		return l.binary(x.Token, x.MultiplicativeExpression, x.CastExpression)
	case *cc.CastExpression:
		if x.Case == cc.CastExpressionUnary {
			return l.value(x.UnaryExpression)
		}
		return l.convert(l.value(x.CastExpression), x.TypeName.Type())
	case *cc.UnaryExpression:
		return l.unary(x)
	case *cc.PostfixExpression:
		return l.postfix(x)
	}
	fail(n, "expression %q", src(n))
	return nil
}

func (l *lowerer) binary(tok cc.Token, a, b cc.ExpressionNode) *ir.Expr {
	op := tok.SrcStr()
	if !binOps[op] {
		fail(a, "operator %s", op)
	}
	x := l.value(a)
	y := l.value(b)
	return &ir.Expr{Op: ir.EBinary, Tok: op, X: x, Y: y}
}

// logical lowers a && b or a || b as a value: one expression when
// mergeable, else with jumps so that b is evaluated only when C does.
func (l *lowerer) logical(n cc.ExpressionNode, op string, a, b cc.ExpressionNode) *ir.Expr {
	if l.mergeable(a, b) {
		x := l.value(a)
		y := l.value(b)
		return &ir.Expr{Op: ir.EBinary, Tok: op, X: x, Y: y}
	}
	t := l.temp()
	end := l.newLabel()
	l.emit(ir.Instr{Op: ir.OpAssign, Dst: t, X: &ir.Expr{Op: ir.EConst, Val: ir.Bool(op == "||")}}, n, "")
	l.cond(a, end, op == "||")
	l.emit(ir.Instr{Op: ir.OpAssign, Dst: t, X: &ir.Expr{Op: ir.EBool, X: l.value(b)}}, n, src(n))
	l.place(end)
	return &ir.Expr{Op: ir.ESlot, Slot: t}
}

// ternary lowers c ? a : b: one expression when neither arm emits
// anything nor reads shared state, else with jumps.
func (l *lowerer) ternary(x *cc.ConditionalExpression) *ir.Expr {
	m := l.mark()
	code, pend := len(l.fn.Code), len(l.pending)
	c := l.value(x.LogicalOrExpression)
	cCode, cPend := len(l.fn.Code), len(l.pending)
	a := l.value(x.ExpressionList)
	b := l.value(x.ConditionalExpression)
	if len(l.fn.Code) == cCode && len(l.pending) == cPend {
		return &ir.Expr{Op: ir.ECond, X: c, Y: a, Z: b}
	}
	_, _ = code, pend
	l.reset(m)
	t := l.temp()
	els, end := l.newLabel(), l.newLabel()
	l.cond(x.LogicalOrExpression, els, false)
	l.emit(ir.Instr{Op: ir.OpAssign, Dst: t, X: l.value(x.ExpressionList)}, x, "")
	l.jump(ir.OpJump, nil, end, x)
	l.place(els)
	l.emit(ir.Instr{Op: ir.OpAssign, Dst: t, X: l.value(x.ConditionalExpression)}, x, "")
	l.place(end)
	return &ir.Expr{Op: ir.ESlot, Slot: t}
}

func (l *lowerer) unary(x *cc.UnaryExpression) *ir.Expr {
	switch x.Case {
	case cc.UnaryExpressionPostfix:
		return l.value(x.PostfixExpression)
	case cc.UnaryExpressionNot:
		return &ir.Expr{Op: ir.EUnary, Tok: "!", X: l.value(x.CastExpression)}
	case cc.UnaryExpressionMinus:
		return &ir.Expr{Op: ir.EUnary, Tok: "-", X: l.value(x.CastExpression)}
	case cc.UnaryExpressionCpl:
		return &ir.Expr{Op: ir.EUnary, Tok: "~", X: l.value(x.CastExpression)}
	case cc.UnaryExpressionPlus:
		return l.value(x.CastExpression)
	case cc.UnaryExpressionAddrof:
		return l.addr(x.CastExpression)
	case cc.UnaryExpressionDeref:
		if a, ok := l.derefLocal(x.CastExpression); ok {
			return a
		}
	case cc.UnaryExpressionInc, cc.UnaryExpressionDec:
		l.incdec(x.UnaryExpression, x.Case == cc.UnaryExpressionInc, x)
		s, _ := l.localSlot(x.UnaryExpression)
		return &ir.Expr{Op: ir.ESlot, Slot: s}
	}
	fail(x, "expression %q", src(x))
	return nil
}

// derefLocal lowers *p where p points to a local of this thread.
func (l *lowerer) derefLocal(n cc.ExpressionNode) (*ir.Expr, bool) {
	t := n.Type()
	if t == nil || t.Kind() != cc.Ptr {
		return nil, false
	}
	elem := t.(*cc.PointerType).Elem()
	if elem.Kind() == cc.Struct || elem.Kind() == cc.Union || elem.Kind() == cc.Function {
		return nil, false
	}
	return &ir.Expr{Op: ir.EDeref, X: l.value(n)}, true
}

func (l *lowerer) primary(x *cc.PrimaryExpression) *ir.Expr {
	switch x.Case {
	case cc.PrimaryExpressionExpr:
		return l.value(x.ExpressionList)
	case cc.PrimaryExpressionIdent:
	default:
		fail(x, "expression %q", src(x))
	}
	name := x.Token.SrcStr()
	switch d := x.ResolvedTo().(type) {
	case *cc.Declarator:
		if s, ok := l.slots[d]; ok {
			return &ir.Expr{Op: ir.ESlot, Slot: s}
		}
		if _, ok := l.defs[name]; ok {
			return &ir.Expr{Op: ir.EConst, Val: ir.Func(l.funcIndex(name))}
		}
		return l.global(x, name)
	case *cc.Enumerator:
		if c, ok := constOf(x); ok {
			return c
		}
	}
	fail(x, "identifier %s", name)
	return nil
}

// global lowers a file-scope variable.
func (l *lowerer) global(n cc.Node, name string) *ir.Expr {
	switch name {
	case "devices_kset":
		return &ir.Expr{Op: ir.EObj, Obj: ir.ObjKset}
	case "async_shutdown":
		return l.load(ir.FieldParam, nil)
	case "initcall_debug":
		return &ir.Expr{Op: ir.EConst}
	}
	fail(n, "global variable %s (not part of the model)", name)
	return nil
}

// addr lowers &n.
func (l *lowerer) addr(n cc.ExpressionNode) *ir.Expr {
	n = strip(n)
	if s, ok := l.localSlot(n); ok {
		return &ir.Expr{Op: ir.EAddr, Slot: s}
	}
	switch x := n.(type) {
	case *cc.PrimaryExpression:
		if x.Case == cc.PrimaryExpressionIdent {
			if _, ok := l.defs[x.Token.SrcStr()]; ok {
				return l.primary(x)
			}
			if d, ok := x.ResolvedTo().(*cc.Declarator); ok && d.Type().Kind() == cc.Struct {
				if st, ok := d.Type().(*cc.StructType); ok && tagOf(st.Tag()) == "async_domain" {
					return &ir.Expr{Op: ir.EObj, Obj: ir.ObjDomain}
				}
			}
		}
	case *cc.PostfixExpression:
		if x.Case == cc.PostfixExpressionSelect || x.Case == cc.PostfixExpressionPSelect {
			return l.member(x, true)
		}
	case *cc.UnaryExpression:
		if x.Case == cc.UnaryExpressionDeref {
			return l.value(x.CastExpression)
		}
	}
	fail(n, "address of %q", src(n))
	return nil
}

func (l *lowerer) postfix(x *cc.PostfixExpression) *ir.Expr {
	switch x.Case {
	case cc.PostfixExpressionPrimary:
		return l.value(x.PrimaryExpression)
	case cc.PostfixExpressionCall:
		return l.call(x, true)
	case cc.PostfixExpressionSelect, cc.PostfixExpressionPSelect:
		return l.member(x, false)
	case cc.PostfixExpressionInc, cc.PostfixExpressionDec:
		s, ok := l.localSlot(x.PostfixExpression)
		if !ok {
			fail(x, "++/-- of %q", src(x))
		}
		t := l.temp()
		l.emit(ir.Instr{Op: ir.OpAssign, Dst: t, X: &ir.Expr{Op: ir.ESlot, Slot: s}}, x, "")
		l.incdec(x.PostfixExpression, x.Case == cc.PostfixExpressionInc, x)
		return &ir.Expr{Op: ir.ESlot, Slot: t}
	}
	fail(x, "expression %q", src(x))
	return nil
}

// structName returns the tag of the struct or union n designates (n is a
// pointer to it when ptr).
func structName(n cc.ExpressionNode, ptr bool) string {
	t := n.Type()
	if ptr {
		pt, ok := t.(*cc.PointerType)
		if !ok {
			return ""
		}
		t = pt.Elem()
	}
	switch st := t.(type) {
	case *cc.StructType:
		return tagOf(st.Tag())
	case *cc.UnionType:
		return tagOf(st.Tag())
	}
	return ""
}

func tagOf(t cc.Token) string { return t.SrcStr() }

// member lowers X->m or X.m: the address of the member (addr), or its
// value.
func (l *lowerer) member(x *cc.PostfixExpression, addr bool) *ir.Expr {
	ptr := x.Case == cc.PostfixExpressionPSelect
	st := structName(x.PostfixExpression, ptr)
	m := x.Token2.SrcStr()
	var base *ir.Expr
	if ptr {
		base = l.value(x.PostfixExpression)
	} else {
		base = l.addr(x.PostfixExpression)
	}
	dev := func() *ir.Expr { // the device an object of a device belongs to
		if base.Op == ir.EObj {
			return base.X
		}
		return base
	}
	obj := func(o ir.ObjKind) *ir.Expr { return &ir.Expr{Op: ir.EObj, Obj: o, X: dev()} }
	static := func(s ir.Static) *ir.Expr { return &ir.Expr{Op: ir.EStatic, Static: s, X: base} }
	key := st + "." + m
	switch key {
	case "kset.list":
		return &ir.Expr{Op: ir.EObj, Obj: ir.ObjEntry}
	case "kset.list_lock":
		return &ir.Expr{Op: ir.EObj, Obj: ir.ObjListLock}
	case "device.kobj":
		return obj(ir.ObjKobj)
	case "kobject.entry":
		return obj(ir.ObjEntry)
	case "device.links":
		return obj(ir.ObjLinks)
	case "dev_links_info.consumers":
		return obj(ir.ObjConsumers)
	case "dev_links_info.suppliers":
		return obj(ir.ObjSuppliers)
	case "device_private.complete":
		return obj(ir.ObjCompletion)
	case "device_private.klist_children":
		return obj(ir.ObjKlist)
	case "device_private.shutdown":
		return obj(ir.ObjShutdown)
	}
	if addr {
		fail(x, "address of %s (%s)", src(x), key)
	}
	switch key {
	case "device.parent":
		return l.load(ir.FieldParent, base)
	case "device.p":
		return obj(ir.ObjPrivate)
	case "device.bus":
		return static(ir.StaticBus)
	case "device.driver":
		return static(ir.StaticDriver)
	case "device.class":
		return static(ir.StaticClass)
	case "device.async_shutdown":
		return l.load(ir.FieldAsync, base)
	case "device_private.dead":
		return l.load(ir.FieldDead, dev())
	case "device_private.shutdown_after", "shutdown_private.after":
		return l.load(ir.FieldAfter, dev())
	case "shutdown_private.next":
		return l.load(ir.FieldNext, dev())
	case "device_private.device":
		return &ir.Expr{Op: ir.EContainer, X: base}
	case "list_head.prev":
		return l.load(ir.FieldListPrev, base)
	case "list_head.next":
		return l.load(ir.FieldListNext, base)
	case "bus_type.need_parent_lock":
		return static(ir.StaticNeedParentLock)
	case "bus_type.shutdown":
		return static(ir.StaticBusShutdown)
	case "device_driver.shutdown":
		return static(ir.StaticDriverShutdown)
	case "device_driver.async_shutdown_enable":
		return static(ir.StaticDriverAsync)
	case "class.shutdown_pre":
		return static(ir.StaticClassShutdownPre)
	case "device_link.supplier":
		return static(ir.StaticLinkSupplier)
	case "device_link.consumer":
		return static(ir.StaticLinkConsumer)
	case "device_link.flags":
		return static(ir.StaticLinkFlags)
	}
	fail(x, "field %s (%s is not part of the model)", src(x), key)
	return nil
}

// fieldOf returns the shared field an assignment's left side names.
func (l *lowerer) fieldOf(n cc.ExpressionNode) (ir.Field, *ir.Expr) {
	n = strip(n)
	x, ok := n.(*cc.PostfixExpression)
	if !ok || x.Case != cc.PostfixExpressionSelect && x.Case != cc.PostfixExpressionPSelect {
		fail(n, "assignment to %q", src(n))
	}
	ptr := x.Case == cc.PostfixExpressionPSelect
	var base *ir.Expr
	if ptr {
		base = l.value(x.PostfixExpression)
	} else {
		base = l.addr(x.PostfixExpression)
	}
	dev := base
	if base.Op == ir.EObj {
		dev = base.X
	}
	switch structName(x.PostfixExpression, ptr) + "." + x.Token2.SrcStr() {
	case "device_private.dead":
		return ir.FieldDead, dev
	case "device_private.shutdown_after", "shutdown_private.after":
		return ir.FieldAfter, dev
	case "shutdown_private.next":
		return ir.FieldNext, dev
	case "device.async_shutdown":
		return ir.FieldAsync, base
	}
	fail(n, "assignment to %q (not part of the model)", src(n))
	return 0, nil
}

// call lowers a call; it returns the slot of its result when want.
func (l *lowerer) call(x *cc.PostfixExpression, want bool) *ir.Expr {
	callee := strip(x.PostfixExpression)
	var args []cc.ExpressionNode
	for a := x.ArgumentExpressionList; a != nil; a = a.ArgumentExpressionList {
		args = append(args, a.AssignmentExpression)
	}
	result := func(dst int) *ir.Expr {
		if dst < 0 {
			return &ir.Expr{Op: ir.EConst}
		}
		return &ir.Expr{Op: ir.ESlot, Slot: dst}
	}
	dst := -1
	if want {
		dst = l.temp()
	}
	if pe, ok := callee.(*cc.PrimaryExpression); ok && pe.Case == cc.PrimaryExpressionIdent {
		name := pe.Token.SrcStr()
		if _, local := l.localSlot(pe); !local {
			if fd, ok := l.defs[name]; ok {
				ft := fd.Declarator.Type().(*cc.FunctionType)
				var vs []*ir.Expr
				for i, a := range args {
					v := l.value(a)
					if ps := params(ft); i < len(ps) {
						v = l.convert(v, ps[i].Type())
					}
					vs = append(vs, v)
				}
				l.emit(ir.Instr{Op: ir.OpCall, Fn: l.funcIndex(name), Args: vs, Dst: dst}, x, src(x))
				return result(dst)
			}
			return l.primCall(x, name, args, dst, want)
		}
	}
	// Through a function pointer: a driver-core callback, or a function of
	// the program.
	if cb, ok := callee.(*cc.PostfixExpression); ok && cb.Case == cc.PostfixExpressionPSelect {
		switch structName(cb.PostfixExpression, true) + "." + cb.Token2.SrcStr() {
		case "bus_type.shutdown", "device_driver.shutdown", "class.shutdown_pre":
			if len(args) != 1 {
				fail(x, "callback with %d arguments", len(args))
			}
			fv := l.value(cb)
			dv := l.value(args[0])
			l.emit(ir.Instr{Op: ir.OpPrim, Prim: ir.PrimShutdownStart, Args: []*ir.Expr{fv, dv}, Dst: -1}, x, src(x))
			l.emit(ir.Instr{Op: ir.OpPrim, Prim: ir.PrimShutdownEnd, Args: []*ir.Expr{fv, dv}, Dst: -1}, x, src(x))
			return result(-1)
		}
	}
	fv := l.value(callee)
	var vs []*ir.Expr
	for _, a := range args {
		vs = append(vs, l.value(a))
	}
	l.emit(ir.Instr{Op: ir.OpCall, Fn: -1, X: fv, Args: vs, Dst: dst}, x, src(x))
	return result(dst)
}

// isParentRead reports whether n is X->parent of a struct device.
func isParentRead(n cc.ExpressionNode) (cc.ExpressionNode, bool) {
	x, ok := strip(n).(*cc.PostfixExpression)
	if ok && x.Case == cc.PostfixExpressionPSelect && x.Token2.SrcStr() == "parent" && structName(x.PostfixExpression, true) == "device" {
		return x.PostfixExpression, true
	}
	return nil, false
}

func (l *lowerer) primCall(x *cc.PostfixExpression, name string, args []cc.ExpressionNode, dst int, want bool) *ir.Expr {
	res := &ir.Expr{Op: ir.EConst}
	if dst >= 0 {
		res = &ir.Expr{Op: ir.ESlot, Slot: dst}
	}
	switch {
	case noStep[name]:
		return &ir.Expr{Op: ir.EConst}
	case name == "__cf_container_of":
		return &ir.Expr{Op: ir.EContainer, X: l.value(args[0])}
	case name == "dev_async_shutdown": // a read of the flag
		return l.load(ir.FieldAsync, l.value(args[0]))
	case name == "get_device":
		if d, ok := isParentRead(args[0]); ok { // parent = get_device(dev->parent): one step
			l.emit(ir.Instr{Op: ir.OpPrim, Prim: ir.PrimGetParent, Args: []*ir.Expr{l.value(d)}, Dst: dst}, x, src(x))
			return res
		}
	}
	p, ok := primCalls[name]
	if !ok {
		fail(x, "call of %s(), which the source does not define and the prelude has no primitive for", name)
	}
	var vs []*ir.Expr
	for _, a := range args {
		vs = append(vs, l.value(a))
	}
	switch p {
	case ir.PrimSpinLock, ir.PrimSpinUnlock:
		if vs[0].Op != ir.EObj || vs[0].Obj != ir.ObjListLock {
			fail(x, "%s of a lock other than devices_kset->list_lock", name)
		}
	case ir.PrimListDelInit:
		if vs[0].Op != ir.EObj || vs[0].Obj != ir.ObjEntry {
			fail(x, "list_del_init() of a list other than devices_kset->list")
		}
	case ir.PrimWaitCompletion, ir.PrimCompleteAll, ir.PrimInitCompletion:
		if vs[0].Op != ir.EObj || vs[0].Obj != ir.ObjCompletion {
			fail(x, "%s of a completion other than dev->p->complete", name)
		}
	case ir.PrimLinkNext:
		if vs[0].Op != ir.EObj || vs[0].Obj != ir.ObjConsumers && vs[0].Obj != ir.ObjSuppliers {
			fail(x, "a walk of a list other than dev->links.consumers or .suppliers")
		}
	}
	l.emit(ir.Instr{Op: ir.OpPrim, Prim: p, Args: vs, Dst: dst}, x, src(x))
	return res
}

// params returns a function type's parameters ((void) has none).
func params(ft *cc.FunctionType) []*cc.Parameter {
	ps := ft.Parameters()
	if len(ps) == 1 && ps[0].Type().Kind() == cc.Void {
		return nil
	}
	return ps
}

// markOps sets Function.Ops: whether a kernel operation is reachable.
func markOps(p *ir.Program) {
	for changed := true; changed; {
		changed = false
		for _, f := range p.Funcs {
			if f.Ops {
				continue
			}
			for _, in := range f.Code {
				if in.IsOp() || in.Op == ir.OpCall && (in.Fn < 0 || p.Funcs[in.Fn].Ops) {
					f.Ops, changed = true, true
					break
				}
			}
		}
	}
}

// liveness computes, for each instruction, the slots that may be read
// before being written from there on; parameters and address-taken slots
// are always live.
func liveness(f *ir.Function) []uint64 {
	n := len(f.Code)
	live := make([]uint64, n+1)
	var always uint64
	for _, in := range f.Code {
		for _, e := range exprsOf(&in) {
			for _, s := range addrsOf(e, nil) {
				always |= 1 << s
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for pc := n - 1; pc >= 0; pc-- {
			in := &f.Code[pc]
			var out uint64
			switch in.Op {
			case ir.OpJump:
				out = live[in.Target]
			case ir.OpBranch:
				out = live[in.Target] | live[pc+1]
			case ir.OpReturn:
				out = 0
			default:
				out = live[pc+1]
			}
			var def uint64
			if in.Dst >= 0 && in.Op != ir.OpRead {
				def |= 1 << in.Dst
			}
			for _, ld := range in.Loads {
				def |= 1 << ld.Dst
			}
			var use uint64
			for _, e := range exprsOf(in) {
				for _, s := range slotsOf(e, nil) {
					use |= 1 << s
				}
			}
			v := use | out&^def | always
			if v != live[pc] {
				live[pc], changed = v, true
			}
		}
	}
	return live[:n]
}

func exprsOf(in *ir.Instr) []*ir.Expr {
	es := []*ir.Expr{in.X, in.Y}
	es = append(es, in.Args...)
	for _, ld := range in.Loads {
		es = append(es, ld.Arg)
	}
	return es
}

func addrsOf(e *ir.Expr, out []int) []int {
	if e == nil {
		return out
	}
	if e.Op == ir.EAddr {
		out = append(out, e.Slot)
	}
	return addrsOf(e.Z, addrsOf(e.Y, addrsOf(e.X, out)))
}

// compact gives temporaries whose values are never needed at the same
// time the same slot: fewer slots, smaller states. Parameters and named
// locals keep theirs.
func compact(f *ir.Function) {
	n := f.Slots
	var interfere [64]uint64
	live := f.Live
	for pc := range f.Code {
		in := &f.Code[pc]
		var out uint64
		switch in.Op {
		case ir.OpJump:
			out = live[in.Target]
		case ir.OpBranch:
			out = live[in.Target]
			if pc+1 < len(live) {
				out |= live[pc+1]
			}
		case ir.OpReturn:
		default:
			if pc+1 < len(live) {
				out = live[pc+1]
			}
		}
		var defs uint64
		if in.Dst >= 0 && in.Op != ir.OpRead {
			defs |= 1 << in.Dst
		}
		for _, ld := range in.Loads {
			defs |= 1 << ld.Dst
		}
		for s := 0; s < n; s++ {
			if defs&(1<<s) != 0 {
				interfere[s] |= out | defs
			}
			if live[pc]&(1<<s) != 0 {
				interfere[s] |= live[pc]
			}
		}
	}
	for s := 0; s < n; s++ { // symmetric
		for t := 0; t < n; t++ {
			if interfere[s]&(1<<t) != 0 {
				interfere[t] |= 1 << s
			}
		}
	}
	color := make([]int, n)
	var used []uint64 // per new slot: the old slots in it
	for s := 0; s < n; s++ {
		if f.SlotNames[s] != "tmp" {
			color[s] = len(used)
			used = append(used, 1<<s)
			continue
		}
		c := -1
		for i, u := range used {
			if f.SlotNames[firstBit(u)] == "tmp" && interfere[s]&u == 0 {
				c = i
				break
			}
		}
		if c < 0 {
			c = len(used)
			used = append(used, 0)
		}
		used[c] |= 1 << s
		color[s] = c
	}
	if len(used) == n {
		return
	}
	// Lowering shares expression nodes between instructions: rewrite each
	// node once.
	seen := map[*ir.Expr]bool{}
	var rewrite func(e *ir.Expr)
	rewrite = func(e *ir.Expr) {
		if e == nil || seen[e] {
			return
		}
		seen[e] = true
		if e.Op == ir.ESlot || e.Op == ir.EAddr {
			e.Slot = color[e.Slot]
		}
		rewrite(e.X)
		rewrite(e.Y)
		rewrite(e.Z)
	}
	for pc := range f.Code {
		in := &f.Code[pc]
		if in.Dst >= 0 {
			in.Dst = color[in.Dst]
		}
		for i := range in.Loads {
			in.Loads[i].Dst = color[in.Loads[i].Dst]
		}
		for _, e := range exprsOf(in) {
			rewrite(e)
		}
	}
	names := make([]string, len(used))
	for i, u := range used {
		names[i] = f.SlotNames[firstBit(u)]
	}
	f.Slots, f.SlotNames = len(used), names
}

func firstBit(u uint64) int {
	for i := 0; i < 64; i++ {
		if u&(1<<i) != 0 {
			return i
		}
	}
	return -1
}
