package group

import (
	"fmt"
	"sort"
	"strconv"
)

// changes lists every difference between the spec and the instances, as
// `drover plan` shows them, whatever the safety rails let happen now.
func (w *world) changes() []Change {
	var out []Change
	names := w.newNamer()
	for _, p := range w.pools {
		out = append(out, w.poolChanges(p, names)...)
	}
	for _, m := range w.strays {
		out = append(out, Change{Kind: ChangeDestroy, Name: m.inst.Name, LogicalID: m.inst.LogicalID, Reason: m.reason})
	}
	sort.SliceStable(out, func(i, j int) bool { return lessName(out[i].Name, out[j].Name) })
	if w.unpooled > 0 {
		out = append(out, w.moreMissing(w.unpooled))
	}
	return out
}

// moreMissing sums up n missing instances that the plan does not name.
func (w *world) moreMissing(n int) Change {
	return Change{Kind: ChangeCreate, Name: fmt.Sprintf("(%d more)", n), Count: n, Reason: Reason{ReasonMissing,
		fmt.Sprintf("%d more missing, named as they are created (at most %d a pass)", n, w.in.Limits.MaxCreatesPerPass)}}
}

func (w *world) poolChanges(p *pool, names *namer) []Change {
	var out []Change
	var dead []*member
	for _, m := range p.members {
		if m.status == stDead {
			dead = append(dead, m)
		}
	}
	alive := p.victims
	excess := max(0, len(alive)+len(p.intents)-p.capacity)
	excess = min(excess, len(alive))
	for _, m := range alive[:excess] {
		out = append(out, w.change(ChangeDestroy, m, w.surplusReason()))
	}
	for _, m := range alive[excess:] {
		switch {
		case m.status == stFailing:
			out = append(out, w.change(ChangeReplace, m, m.reason))
		case m.outdated:
			out = append(out, w.change(ChangeReplace, m, Reason{ReasonConfigChanged, "config changed"}))
		}
	}
	short := p.capacity - (len(alive) - excess + len(p.intents))
	for _, m := range dead {
		kind := ChangeDestroy
		if short > 0 {
			kind, short = ChangeReplace, short-1
		}
		out = append(out, w.change(kind, m, m.reason))
	}
	named := min(short, w.in.Limits.MaxCreatesPerPass)
	for range named {
		out = append(out, Change{Kind: ChangeCreate, Name: names.next(p.lid), LogicalID: p.lid, Reason: Reason{ReasonMissing, "missing"}})
	}
	if short > named {
		more := w.moreMissing(short - named)
		more.LogicalID = p.lid
		out = append(out, more)
	}
	return out
}

func (w *world) change(kind ChangeKind, m *member, r Reason) Change {
	return Change{Kind: kind, Name: m.inst.Name, LogicalID: m.inst.LogicalID, Reason: r}
}

func (w *world) surplusReason() Reason {
	if len(w.d.LogicalIDs) > 0 {
		return Reason{ReasonSurplus, "surplus: another instance holds its logical id"}
	}
	return Reason{ReasonSurplus, fmt.Sprintf("surplus: the group's size is %d", w.d.Size)}
}

// namer picks deterministic names that are not in use: "<group>-<n>" with
// the lowest free n (a replacement takes the name of the instance it
// replaces), or "<group>-<logical id>", falling back to
// "<group>-<logical id>-<config>" while an older instance holds the name
// during a surge. Each namer starts from the world's names in use, so
// changes and steps predict the same names.
type namer struct {
	w    *world
	mine map[string]bool // names this namer gave out
	seqs map[int]bool    // sequence numbers in use, parsed once
	n    int
}

func (w *world) newNamer() *namer { return &namer{w: w, mine: map[string]bool{}} }

// taken says whether a name is held: by an instance that is not being
// destroyed in this pass (destroys run before creates), by a create in
// flight, or by this namer.
func (n *namer) taken(name string) bool {
	if n.mine[name] {
		return true
	}
	if m, ok := n.w.byName[name]; ok {
		return !m.destroyed
	}
	return n.w.used[name]
}

func (n *namer) take(name string) string {
	n.mine[name] = true
	return name
}

func (n *namer) next(lid string) string {
	if lid == "" {
		return n.take(n.nextSequence())
	}
	name := n.w.d.Group + "-" + lid
	if !n.taken(name) {
		return n.take(name)
	}
	base := name + "-" + n.w.d.Config[:min(6, len(n.w.d.Config))]
	name = base
	for i := 2; n.taken(name); i++ {
		name = base + "-" + strconv.Itoa(i)
	}
	return n.take(name)
}

func (n *namer) nextSequence() string {
	prefix := n.w.d.Group + "-"
	if n.seqs == nil {
		n.seqs = map[int]bool{}
		for _, p := range n.w.pools {
			for _, m := range p.members {
				if m.key.numbered && m.key.prefix == prefix && !m.destroyed {
					n.seqs[m.key.n] = true
				}
			}
		}
	}
	for {
		n.n++
		if n.seqs[n.n] {
			continue
		}
		if name := prefix + strconv.Itoa(n.n); !n.taken(name) {
			return name
		}
	}
}
